"""Cost per outcome, real-terms conversion and year-on-year change for UK financial years.

* :func:`cost_per_outcome` - spend divided by outcome units, with the outcome's confidence
  interval carried through (cost / upper count .. cost / lower count).
* :func:`to_real_terms` - cash to real terms with the GDP deflator (ONS series YBGB, as
  published, averaged over financial years as HM Treasury does; shipped in
  ``indicators/data/gdp_deflators.csv``; see :func:`deflator_table`).
* :func:`year_on_year` - absolute and percentage change on the previous financial year.

Financial years are UK government years (April-March) written "2023/24"; "2023-24",
"2023/2024" and "FY2023/24" are accepted and normalised by :func:`financial_year`.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from indicators.intervals import (
    MISSING_INPUT,
    Estimate,
    _as_float,
    _first_index,
    _reasons,
    _wrap,
)

__all__ = [
    "DEFAULT_BASE_YEAR",
    "RealTerms",
    "cost_per_outcome",
    "default_base_year",
    "deflator_source",
    "deflator_table",
    "financial_year",
    "financial_year_means",
    "to_real_terms",
    "year_on_year",
]

#: Price base used for real-terms figures unless another is asked for.
DEFAULT_BASE_YEAR = "2024/25"

NEGATIVE_SPEND = "spend is negative"
OUTCOME_ZERO = "outcome units are zero"
OUTCOME_NEGATIVE = "outcome units are negative"
INTERVAL_EXCLUDES_VALUE = "outcome interval does not contain the outcome value"
LOWER_OUTCOME_ZERO = "outcome lower limit is zero: cost upper limit unbounded"
UNKNOWN_YEAR = "unrecognised financial year"
NO_DEFLATOR = "no deflator for this financial year"
NO_BASE_DEFLATOR = "no deflator for the base year"
NO_PREVIOUS_YEAR = "no figure for the previous financial year"
DUPLICATE_YEAR = "duplicate financial year"
PREVIOUS_ZERO = "previous year is zero"

_FY_PATTERN = re.compile(r"^\s*(?:fy\s*)?(\d{4})\s*[-/\u2013_]\s*(\d{2}|\d{4})\s*$", re.I)


# --------------------------------------------------------------------------------------------
# Cost per outcome
# --------------------------------------------------------------------------------------------
def cost_per_outcome(spend: Any, outcome_units: Any, outcome_lower: Any = None,
                     outcome_upper: Any = None) -> Estimate:
    """Cost per unit of outcome, with the outcome's confidence interval carried through.

    Method: value = spend / units; lower = spend / outcome_upper; upper = spend / outcome_lower
    (the interval of the outcome count mapped through the decreasing function spend / count;
    spend is treated as known without error). Without outcome limits the limits are NaN.
    Reference: PHE Spend and Outcome Tool (SPOT) cost-per-outcome ratios; interval by
    transformation of the outcome's confidence limits (e.g. from :func:`indicators.intervals.byar`).
    Units: spend units (e.g. GBP) per outcome unit (e.g. GBP per admission).

    NaN with a reason for missing inputs, negative spend, zero or negative outcome units, or an
    outcome interval that does not contain the outcome value. A zero lower outcome limit gives a
    NaN upper limit (unbounded) with that reason, while value and lower are still returned.
    """
    args = [spend, outcome_units, outcome_lower, outcome_upper]
    s, u, lo, hi = (np.array(a, dtype=float)
                    for a in np.broadcast_arrays(*[_as_float(a) for a in args]))
    index = _first_index(*args)
    has_interval = outcome_lower is not None or outcome_upper is not None
    rules = [
        (np.isnan(s) | np.isnan(u), MISSING_INPUT),
        (s < 0, NEGATIVE_SPEND),
        (u == 0, OUTCOME_ZERO),
        (u < 0, OUTCOME_NEGATIVE),
    ]
    if has_interval:
        rules += [
            (np.isnan(lo) | np.isnan(hi), MISSING_INPUT),
            ((lo > u) | (hi < u) | (lo < 0), INTERVAL_EXCLUDES_VALUE),
            (lo == 0, LOWER_OUTCOME_ZERO),
        ]
    reason = _reasons(s.shape, rules)
    ok = reason == ""
    with np.errstate(all="ignore"):
        value = np.where(ok | (reason == LOWER_OUTCOME_ZERO), s / u, np.nan)
        lower = np.where(ok | (reason == LOWER_OUTCOME_ZERO), s / hi, np.nan)
        upper = np.where(ok, s / lo, np.nan)
    if not has_interval:
        lower = np.full_like(value, np.nan)
        upper = np.full_like(value, np.nan)
    return Estimate(_wrap(value, index, "value"), _wrap(lower, index, "lower"),
                    _wrap(upper, index, "upper"), _wrap(reason, index, "reason"),
                    "spend / outcome")


# --------------------------------------------------------------------------------------------
# Financial years and deflators
# --------------------------------------------------------------------------------------------
def financial_year(label: Any) -> str | None:
    """Normalise a UK financial-year label to "YYYY/YY" (e.g. "2023-24" -> "2023/24").

    Method: pattern match on ``YYYY`` + separator (/ - en dash _) + ``YY`` or ``YYYY`` (optional
    "FY" prefix); the second year must follow the first. Reference: HM Treasury financial year
    convention (April-March). Units: none. Returns None for anything unrecognised (including
    bare integers, which are ambiguous between calendar and financial years).
    """
    if not isinstance(label, str):
        return None
    m = _FY_PATTERN.match(label)
    if not m:
        return None
    start, end = int(m.group(1)), m.group(2)
    expected = start + 1
    if (len(end) == 2 and int(end) != expected % 100) or (len(end) == 4 and int(end) != expected):
        return None
    return f"{start}/{expected % 100:02d}"


def _normalise_years(years: Any) -> np.ndarray:
    if isinstance(years, str):
        return np.array(financial_year(years), dtype=object)
    values = years.to_numpy(dtype=object) if isinstance(years, pd.Series) else years
    arr = np.asarray(values, dtype=object)
    seen: dict[str, str | None] = {}
    out = np.empty(arr.shape, dtype=object)
    flat = out.ravel()
    for i, y in enumerate(arr.ravel()):
        if isinstance(y, str):
            if y not in seen:
                seen[y] = financial_year(y)
            flat[i] = seen[y]
        else:
            flat[i] = None
    return flat.reshape(arr.shape)


#: The published series' own reference period (index = 100), a calendar year.
PUBLISHED_REFERENCE = "2022 (calendar year)"


def financial_year_means(quarters: pd.DataFrame) -> pd.DataFrame:
    """Average a quarterly index over UK financial years (April-March: Q2, Q3, Q4, next Q1).

    Method: the arithmetic mean of the four quarters of each financial year, as HM Treasury
    builds its financial-year GDP deflators from ONS quarterly national accounts; a year
    without all four quarters is left out (never extrapolated). Reference: HM Treasury "GDP
    deflators at market prices, and money GDP" (methodology notes). ``quarters`` has columns
    quarter ("2023 Q2") and ybgb; returns financial_year, gdp_deflator, status.
    """
    parts = quarters["quarter"].str.extract(r"^(\d{4}) Q([1-4])$")
    if parts.isna().any().any():
        bad = quarters.loc[parts.isna().any(axis=1), "quarter"].tolist()
        raise ValueError(f"gdp_deflators.csv: quarters not of the form 'YYYY Qn': {bad[:3]}")
    year = parts[0].astype(int)
    # Q1 (January-March) belongs to the financial year that began the April before
    start = np.where(parts[1] == "1", year - 1, year)
    frame = pd.DataFrame({"start": start, "value": pd.to_numeric(quarters["ybgb"])})
    grouped = frame.groupby("start")["value"].agg(["mean", "count"])
    whole = grouped[grouped["count"] == 4]
    return pd.DataFrame({
        "financial_year": [f"{y}/{(y + 1) % 100:02d}" for y in whole.index],
        "gdp_deflator": whole["mean"].to_numpy(),
        "status": "outturn",
    })


@cache
def _deflator_file() -> tuple[pd.DataFrame, str]:
    path = resources.files("indicators").joinpath("data", "gdp_deflators.csv")
    text = path.read_text(encoding="utf-8")
    header = [line[1:].strip() for line in text.splitlines() if line.startswith("#")]
    quarters = pd.read_csv(io.StringIO(text), comment="#", dtype={"quarter": str})
    return financial_year_means(quarters), " ".join(header)


def deflator_source() -> str:
    """Provenance of the deflator series: ONS YBGB, its release date and reference year.

    Source: ONS series YBGB (GDP at market prices, implied deflator, seasonally adjusted;
    quarterly national accounts), averaged over financial years as HM Treasury does. Units: text.
    """
    return _deflator_file()[1]


def default_base_year() -> str:
    """The price base used for real terms by default: financial year "2024/25".

    Reference: the GDP deflator series shipped with this package (:func:`deflator_table`).
    Units: financial-year label "YYYY/YY".
    """
    return DEFAULT_BASE_YEAR


def deflator_table(base_year: str | None = DEFAULT_BASE_YEAR) -> pd.DataFrame:
    """GDP deflators by UK financial year from 2010/11, rebased to ``base_year``.

    Method: each financial year's deflator is the mean of ONS YBGB's four quarters
    (:func:`financial_year_means`); index_rebased = deflator / deflator[base_year] * 100;
    ``to_base_factor`` = deflator[base_year] / deflator (multiply cash by it to get
    ``base_year`` prices). Reference: ONS series YBGB (release in :func:`deflator_source`;
    published reference 2022 = 100), HM Treasury's financial-year convention. Units: index
    (base year = 100), factor (ratio). ``base_year=None`` keeps the published reference
    (calendar 2022 = 100). Columns: financial_year, gdp_deflator (financial-year mean of the
    published index), status, index (rebased), to_base_factor. The base used is in
    ``.attrs["base_year"]``; an unknown base year gives NaN columns.
    """
    table, source = _deflator_file()
    out = table.copy()
    if base_year is None:
        base, base_value = PUBLISHED_REFERENCE, 100.0
    else:
        base = financial_year(base_year)
        match = out.loc[out["financial_year"] == base, "gdp_deflator"]
        base_value = float(match.iloc[0]) if len(match) else np.nan
    out["index"] = out["gdp_deflator"] / base_value * 100.0
    out["to_base_factor"] = base_value / out["gdp_deflator"]
    out.attrs["base_year"] = base
    out.attrs["source"] = source
    return out


def _lookup(table: pd.DataFrame) -> dict[str | None, float]:
    return dict(zip(table["financial_year"].map(financial_year),
                    pd.to_numeric(table["gdp_deflator"], errors="coerce"), strict=True))


@cache
def _published_lookup() -> dict[str | None, float]:
    return _lookup(_deflator_file()[0])


@dataclass(frozen=True)
class RealTerms:
    """Real-terms amounts: ``value`` in ``base_year`` prices, ``factor`` applied, ``reason``."""

    value: Any
    factor: Any
    reason: Any
    base_year: str | None
    source: str


def to_real_terms(amounts: Any, years: Any, base_year: str = DEFAULT_BASE_YEAR,
                  deflators: pd.DataFrame | None = None) -> RealTerms:
    """Convert cash amounts to real terms (constant ``base_year`` prices) with the GDP deflator.

    Method: real = cash * deflator[base_year] / deflator[year].
    Reference: GDP deflator at market prices, ONS YBGB by financial year (:func:`deflator_table`,
    :func:`deflator_source`); HM Treasury Green Book guidance on real terms. Units: the cash
    amounts' currency at ``base_year`` prices (e.g. GBP, 2024/25 prices).

    ``years`` are financial-year labels ("2023/24"); ``deflators`` may supply another table
    with columns financial_year and gdp_deflator. NaN with a reason for missing amounts,
    unrecognised years or years outside the table.
    """
    lookup = _published_lookup() if deflators is None else _lookup(deflators)
    base = financial_year(base_year)
    base_value = lookup.get(base, np.nan) if base else np.nan
    a = _as_float(amounts)
    fy = _normalise_years(years)
    a, fy = np.broadcast_arrays(a, fy)
    index = _first_index(amounts, years)
    defl = np.array([lookup.get(y, np.nan) if y is not None else np.nan for y in fy.ravel()],
                    dtype=float).reshape(fy.shape)
    unknown = np.equal(fy, None)
    reason = _reasons(a.shape, [
        (np.full(a.shape, not np.isfinite(base_value)), NO_BASE_DEFLATOR),
        (np.isnan(a), MISSING_INPUT),
        (unknown, UNKNOWN_YEAR),
        (~unknown & ~np.isfinite(defl), NO_DEFLATOR),
    ])
    with np.errstate(all="ignore"):
        factor = np.where(reason == "", base_value / defl, np.nan)
        value = a * factor
    return RealTerms(_wrap(value, index, "real_terms"), _wrap(factor, index, "factor"),
                     _wrap(reason, index, "reason"), base, deflator_source()
                     if deflators is None else "user-supplied deflators")


# --------------------------------------------------------------------------------------------
# Year-on-year change
# --------------------------------------------------------------------------------------------
def year_on_year(amounts: Any, years: Any) -> pd.DataFrame:
    """Absolute and percentage change on the previous financial year.

    Method: change = amount[y] - amount[y-1]; pct_change = change / |amount[y-1]| * 100, where
    y-1 is the immediately preceding financial year present in the input (rows may be in any
    order; a gap gives NaN). Reference: standard year-on-year change. Units: change in the
    amounts' units; pct_change in per cent.

    Returns a DataFrame aligned with the input rows (same order, index of ``amounts`` if it is
    a Series) with columns financial_year, amount, previous_amount, change, pct_change, reason.
    """
    a = np.atleast_1d(_as_float(amounts)).astype(float).ravel()
    fy = np.atleast_1d(_normalise_years(years)).ravel()
    if fy.size == 1 and a.size > 1:
        fy = np.repeat(fy, a.size)
    index = _first_index(amounts, years)
    start = np.array([int(y[:4]) if y is not None else -1 for y in fy])
    dup = pd.Series(start).duplicated(keep=False).to_numpy() & (start >= 0)
    pos = {s: i for i, s in enumerate(start) if s >= 0 and not dup[i]}
    prev_idx = np.array([pos.get(s - 1, -1) if s >= 0 else -1 for s in start])
    has_prev = prev_idx >= 0
    previous = np.where(has_prev, a[np.where(has_prev, prev_idx, 0)], np.nan)
    reason = _reasons(a.shape, [
        (np.equal(fy, None), UNKNOWN_YEAR),
        (dup, DUPLICATE_YEAR),
        (np.isnan(a), MISSING_INPUT),
        (~has_prev, NO_PREVIOUS_YEAR),
        (np.isnan(previous), MISSING_INPUT),
    ])
    ok = reason == ""
    change = np.where(ok, a - previous, np.nan)
    with np.errstate(all="ignore"):
        pct = np.where(ok & (previous != 0), change / np.abs(previous) * 100.0, np.nan)
    reason = np.where(ok & (previous == 0), PREVIOUS_ZERO, reason).astype(object)
    return pd.DataFrame({"financial_year": fy, "amount": a, "previous_amount": previous,
                         "change": change, "pct_change": pct, "reason": reason}, index=index)
