"""Indirectly standardised ratios and rates (ISR), as PHEindicatormethods computes them.

Method (PHEindicatormethods ``calculate_ISRatio`` and ``calculate_ISRate``):

* expected events ``E = sum_i pop_i * ref_count_i / ref_pop_i`` over the age bands (the
  reference rates applied to the area's population);
* ratio ``O / E * ref_value`` (``ref_value`` 1, or 100 for "x 100");
* rate ``O / E * ref_rate``, with ``ref_rate = sum(ref_count) / sum(ref_pop) * multiplier``
  (the crude reference rate), unless a reference rate is given;
* the interval is the Poisson interval of the observed count ``O`` scaled the same way:
  exact (Garwood, chi-squared) when ``O < 10``, Byar's approximation from 10 - as for crude
  rates (:func:`indicators.intervals.rate`).

References: PHEindicatormethods (Public Health England / OHID, R package), functions
``calculate_ISRatio`` and ``calculate_ISRate``; Breslow N.E., Day N.E. (1987) *Statistical
methods in cancer research*, vol. II, IARC (indirect standardisation, Byar's method);
PHE Technical Guide: Confidence intervals (2018).
Units: a ratio (times ``ref_value``), or events per ``multiplier`` people.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from indicators.intervals import byar, exact_poisson

__all__ = ["expected_events", "isr", "isr_frame"]


def expected_events(populations: Any, ref_counts: Any, ref_populations: Any) -> float:
    """Expected events: ``sum(pop * ref_count / ref_pop)`` over age bands (indirect
    standardisation; Breslow & Day 1987). A band with a missing value adds nothing, as
    PHEindicatormethods sums with missing values removed (its ``testdata_tiny`` case); NaN
    if no band is complete or a reference population is not positive."""
    pop, rc, rp = (np.asarray(a, dtype=float) for a in (populations, ref_counts,
                                                         ref_populations))
    complete = ~(np.isnan(pop) | np.isnan(rc) | np.isnan(rp))
    if not complete.any() or (rp[complete] <= 0).any():
        return float("nan")
    return float((pop[complete] * rc[complete] / rp[complete]).sum())


def isr(observed: float, expected: float, scale: float = 1.0,
        confidence: float = 0.95) -> dict[str, Any]:
    """Indirectly standardised ratio (times ``scale``) with its Poisson interval.

    ``value = observed / expected * scale``; the interval is the exact Poisson interval of
    ``observed`` below 10 events and Byar's from 10, divided by ``expected`` and times
    ``scale`` (PHEindicatormethods ``calculate_ISRatio``; pass ``scale = ref_rate`` for
    ``calculate_ISRate``). Returns ``value, lower, upper, method`` ("Exact" or "Byars", the
    package's labels); all NaN for a missing or non-positive expected count.
    """
    o, e = float(observed), float(expected)
    if not (np.isfinite(o) and np.isfinite(e)) or e <= 0 or o < 0:
        return {"value": np.nan, "lower": np.nan, "upper": np.nan, "method": ""}
    interval = exact_poisson(o, confidence) if o < 10 else byar(o, confidence)
    factor = scale / e
    return {"value": o * factor, "lower": float(interval.lower) * factor,
            "upper": float(interval.upper) * factor, "method": "Exact" if o < 10 else "Byars"}


def isr_frame(df: pd.DataFrame, by: str | list[str], count: str = "count",
              population: str = "pop", ref_count: str = "refcount",
              ref_population: str = "refpop", kind: str = "ratio", scale: float = 1.0,
              multiplier: float = 100_000, ref_rate: float | None = None,
              confidence: float = 0.95) -> pd.DataFrame:
    """ISR (``kind="ratio"``, times ``scale``) or indirectly standardised rate (``kind="rate"``,
    per ``multiplier``) for each group of age-band rows, as PHEindicatormethods
    ``calculate_ISRatio`` / ``calculate_ISRate`` (method in the module docstring).

    Columns: the ``by`` keys, ``observed``, ``expected``, ``ref_rate`` (rates only),
    ``value``, ``lower``, ``upper``, ``method``.
    """
    if kind not in ("ratio", "rate"):
        raise ValueError(f"kind must be 'ratio' or 'rate' (got {kind!r})")
    rows = []
    for key, g in df.groupby(by, sort=False):
        keys = key if isinstance(key, tuple) else (key,)
        observed = float(g[count].sum())
        expected = expected_events(g[population], g[ref_count], g[ref_population])
        row = dict(zip([by] if isinstance(by, str) else by, keys, strict=True))
        if kind == "rate":
            # missing values removed from the sums, as PHEindicatormethods does
            crude = (ref_rate if ref_rate is not None
                     else g[ref_count].sum() / g[ref_population].sum() * multiplier)
            row |= {"observed": observed, "expected": expected, "ref_rate": float(crude),
                    **isr(observed, expected, float(crude), confidence)}
        else:
            row |= {"observed": observed, "expected": expected,
                    **isr(observed, expected, scale, confidence)}
        rows.append(row)
    return pd.DataFrame(rows)
