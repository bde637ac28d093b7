"""Directly standardised rates with Dobson's method, as PHEindicatormethods' ``phe_dsr``.

* :func:`dsr` / :func:`dsr_frame` - directly standardised rate with Dobson's method
  (Dobson et al. 1991; PHEindicatormethods ``phe_dsr``), 2013 European Standard Population
  (:func:`esp2013`) by default; missing when the total count is below 10.

Conventions are those of :mod:`indicators.intervals`: nothing raises for missing or invalid
data (NaN with a plain-English reason), ``confidence`` as a fraction or a percentage.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from indicators.intervals import (
    BYAR_LOWER_UNDEFINED,
    INVALID_CONFIDENCE,
    MISSING_INPUT,
    NEGATIVE_COUNT,
    POPULATION_MISSING,
    Estimate,
    _as_float,
    _byar_core,
    _reasons,
    _scale_confidence,
)

__all__ = ["ESP2013_BANDS", "dsr", "dsr_frame", "esp2013"]

COUNT_BELOW_10 = "total count below 10"
STANDARD_POPULATION_MISSING = "standard population missing or negative"
WRONG_BAND_COUNT = "ESP2013 needs exactly 19 age bands (0-4 ... 90+) in order"
LENGTHS_DIFFER = "counts, populations and standard populations differ in length"

ESP2013_BANDS = (
    "0-4", "5-9", "10-14", "15-19", "20-24", "25-29", "30-34", "35-39", "40-44", "45-49",
    "50-54", "55-59", "60-64", "65-69", "70-74", "75-79", "80-84", "85-89", "90+",
)


# --------------------------------------------------------------------------------------------
# Directly standardised rates: Dobson method
# --------------------------------------------------------------------------------------------
@cache
def _esp2013_table() -> pd.DataFrame:
    path = resources.files("indicators").joinpath("data", "esp2013.csv")
    with path.open("r", encoding="utf-8") as fh:
        table = pd.read_csv(fh, comment="#", dtype={"ageband": str})
    return table


def esp2013() -> pd.DataFrame:
    """The 2013 European Standard Population: 19 age bands 0-4 ... 90+, total 100,000.

    Source: Eurostat (2013) Revision of the European Standard Population, report of Eurostat's
    task force; the ``esp2013`` vector of PHEindicatormethods. Units: persons (of 100,000).
    Returns a copy with columns ageband, start_age, standard_population.
    """
    return _esp2013_table().copy()


def _esp2013_weights() -> np.ndarray:
    return _esp2013_table()["standard_population"].to_numpy(dtype=float)


def _dsr_core(codes: np.ndarray, ngroups: int, x: np.ndarray, n: np.ndarray, w: np.ndarray,
              multiplier: float, confidence: float, extra_bad: np.ndarray | None = None):
    """Grouped Dobson DSR. ``codes`` maps each band row to a group 0..ngroups-1."""
    conf = _as_float(confidence)
    c = float(np.ravel(_scale_confidence(conf))[0]) if conf.size == 1 else np.nan
    x0 = np.where(np.isnan(x), 0.0, x)  # PHE: missing counts are treated as zero
    events = x0 > 0
    with np.errstate(all="ignore"):
        ratio = np.where(events, w / n, 0.0)
        wt_rate = np.where(events, x0 * ratio, 0.0)
        sq_rate = np.where(events, x0 * ratio * ratio, 0.0)

    def gsum(values):
        return np.bincount(codes, weights=values, minlength=ngroups)

    def gany(mask):
        return np.bincount(codes, weights=mask.astype(float), minlength=ngroups) > 0

    total_count = gsum(x0)
    total_pop = gsum(np.where(np.isnan(n), 0.0, n))
    sum_w = gsum(np.where(np.isnan(w), 0.0, w))
    sum_wt = gsum(wt_rate)
    sum_sq = gsum(sq_rate)

    neg = gany(x0 < 0)
    pop_bad = gany(events & ~(n > 0))
    std_bad = gany(np.isnan(w) | (w < 0))
    all_missing = ~gany(~np.isnan(x))
    with np.errstate(all="ignore"):
        value = sum_wt / sum_w * multiplier
        vardsr = sum_sq / sum_w**2
        o = total_count
        b_lo, b_hi = _byar_core(o, np.full(o.shape, c))
        spread = np.sqrt(vardsr / o) * multiplier
        lower = value + spread * (b_lo - o)
        upper = value + spread * (b_hi - o)
    rules = [
        (all_missing, MISSING_INPUT),
        (np.full(ngroups, np.isnan(c)), INVALID_CONFIDENCE),
    ]
    if extra_bad is not None:
        rules.append((extra_bad, WRONG_BAND_COUNT))
    rules += [
        (neg, NEGATIVE_COUNT),
        (std_bad, STANDARD_POPULATION_MISSING),
        (total_count < 10, COUNT_BELOW_10),
        (pop_bad, POPULATION_MISSING),
        (b_lo < 0, BYAR_LOWER_UNDEFINED),
    ]
    reason = _reasons((ngroups,), rules)
    bad = reason != ""
    value[bad] = np.nan
    lower[bad] = np.nan
    upper[bad] = np.nan
    return total_count, total_pop, value, lower, upper, reason


def dsr(counts: Any, populations: Any, standard_populations: Any = None,
        multiplier: float = 100_000, confidence: float = 0.95) -> Estimate:
    """Directly standardised rate for one area with Dobson's confidence interval.

    Method: DSR = sum(w_i x_i / n_i) / sum(w_i) * multiplier; var = sum(w_i^2 x_i / n_i^2) /
    sum(w_i)^2; limits = DSR + sqrt(var / O) * (O_limit - O) * multiplier, where O is the total
    count and O_limit Byar's limits for O (Dobson's method).
    Reference: Dobson AJ et al. (1991) Stat Med 10:457-462; PHEindicatormethods ``phe_dsr``.
    Units: events per ``multiplier`` of the standard population (default per 100,000).

    ``counts``, ``populations`` and ``standard_populations`` are matched by position (one per
    age band). ``standard_populations=None`` uses the 2013 European Standard Population
    (:func:`esp2013`), which requires 19 bands in order 0-4 ... 90+. Missing counts count as
    zero (as PHE does). NaN with a reason when the total count is below 10, when a band with
    events has no population, or when inputs are missing/invalid.
    """
    x = np.atleast_1d(_as_float(counts)).ravel()
    n = np.atleast_1d(_as_float(populations)).ravel()
    if standard_populations is None:
        w = _esp2013_weights()
        if len(x) != len(w) or len(n) != len(w):
            return Estimate(np.nan, np.nan, np.nan, WRONG_BAND_COUNT, "Dobson")
    else:
        w = np.atleast_1d(_as_float(standard_populations)).ravel()
    if len({len(x), len(n), len(w)}) != 1:
        return Estimate(np.nan, np.nan, np.nan, LENGTHS_DIFFER, "Dobson")
    codes = np.zeros(len(x), dtype=np.intp)
    _, _, value, lower, upper, reason = _dsr_core(codes, 1, x, n, w, multiplier, confidence)
    return Estimate(value[0], lower[0], upper[0], reason[0], "Dobson")


def dsr_frame(df: pd.DataFrame, by: str | list[str] | None = None, count: str = "count",
              population: str = "population", standard_population: Any = None,
              multiplier: float = 100_000, confidence: float = 0.95) -> pd.DataFrame:
    """Directly standardised rates with Dobson intervals for every group of a long DataFrame.

    Method and reference as :func:`dsr` (Dobson et al. 1991; PHEindicatormethods ``phe_dsr``).
    Units: events per ``multiplier`` of the standard population (default per 100,000).

    ``df`` has one row per group and age band, bands in the same order in every group.
    ``standard_population`` is None (ESP2013 matched by position within each group: each group
    must have exactly 19 rows), the name of a column of ``df``, or a sequence matched by position.
    Returns one row per group (groups in order of first appearance) with the ``by`` columns and
    total_count, total_population, value, lower, upper, reason.
    """
    by_cols = [] if by is None else ([by] if isinstance(by, str) else list(by))
    if by_cols:
        codes = df.groupby(by_cols, sort=False, dropna=False).ngroup().to_numpy(dtype=np.intp)
        ngroups = int(codes.max()) + 1 if len(codes) else 0
        first_rows = np.unique(codes, return_index=True)[1]
        keys = df[by_cols].iloc[first_rows].reset_index(drop=True)
    else:
        codes = np.zeros(len(df), dtype=np.intp)
        keys = None
        ngroups = 1
    x = _as_float(df[count])
    n = _as_float(df[population])
    position = pd.Series(codes).groupby(codes).cumcount().to_numpy()
    sizes = np.bincount(codes, minlength=ngroups)
    extra = None
    if standard_population is None:
        weights = _esp2013_weights()
        w = weights[np.minimum(position, len(weights) - 1)]
        extra = sizes != len(weights)
    elif isinstance(standard_population, str):
        w = _as_float(df[standard_population])
    else:
        weights = np.atleast_1d(_as_float(standard_population)).ravel()
        w = weights[np.minimum(position, len(weights) - 1)]
        extra = sizes != len(weights)
    total_count, total_pop, value, lower, upper, reason = _dsr_core(
        codes, ngroups, x, n, w, multiplier, confidence, extra)
    if extra is not None and standard_population is not None:
        reason = np.where(reason == WRONG_BAND_COUNT,
                          "number of bands differs from the standard population", reason)
    out = pd.DataFrame({
        "total_count": total_count,
        "total_population": total_pop,
        "value": value,
        "lower": lower,
        "upper": upper,
        "reason": reason.astype(object),
    })
    if keys is not None:
        out = pd.concat([keys, out], axis=1)
    return out
