"""Benchmark comparison as Fingertips does it: does the confidence interval exclude the benchmark?

Method ("Confidence intervals overlapping reference value", Fingertips benchmark comparison
method at 95% or 99.8%): an area is *higher* than the benchmark when the lower confidence limit
is above the benchmark value, *lower* when the upper limit is below it, and *similar* otherwise
(the benchmark inside the interval, limits included). With a polarity, higher/lower become
better/worse. Without an interval the result is "not compared".

Reference: Public Health England, Fingertips technical guidance "Benchmarking" and the
Fingertips indicator metadata field ``BenchmarkComparisonMethod``; PHE (2018) "Technical Guide:
Confidence intervals".
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from indicators.intervals import MISSING_INPUT, _as_float, _first_index

__all__ = [
    "HIGHER_IS_BETTER",
    "LOWER_IS_BETTER",
    "NO_JUDGEMENT",
    "ComparisonMethod",
    "compare",
    "compare_by_method",
    "comparison_method",
    "normalise_polarity",
    "quintiles",
]

HIGHER_IS_BETTER = "higher is better"
LOWER_IS_BETTER = "lower is better"
NO_JUDGEMENT = "no judgement"

NO_INTERVAL = "no confidence interval"
MISSING_BENCHMARK = "missing benchmark"
MISSING_VALUE = MISSING_INPUT
LIMITS_REVERSED = "lower limit above upper limit"
UNRECOGNISED_POLARITY = "unrecognised polarity"

_POLARITY_SPELLINGS = {
    # our own spellings
    "higher is better": HIGHER_IS_BETTER,
    "lower is better": LOWER_IS_BETTER,
    "no judgement": NO_JUDGEMENT,
    # Fingertips / FingertipsNext metadata spellings
    "high is good": HIGHER_IS_BETTER,
    "rag - high is good": HIGHER_IS_BETTER,
    "low is good": LOWER_IS_BETTER,
    "rag - low is good": LOWER_IS_BETTER,
    "no judgment": NO_JUDGEMENT,
    "not applicable": NO_JUDGEMENT,
    "bob - blue orange blue": NO_JUDGEMENT,
    "blue orange blue": NO_JUDGEMENT,
    # other common forms
    "high is better": HIGHER_IS_BETTER,
    "higher is good": HIGHER_IS_BETTER,
    "low is better": LOWER_IS_BETTER,
    "lower is good": LOWER_IS_BETTER,
    "none": NO_JUDGEMENT,
    "": NO_JUDGEMENT,
}


def _normalise_one(polarity: Any) -> str | None:
    if polarity is None or (isinstance(polarity, float) and np.isnan(polarity)):
        return NO_JUDGEMENT
    if polarity is pd.NA:
        return NO_JUDGEMENT
    key = " ".join(str(polarity).replace("\u2013", "-").lower().split())
    key = re.sub(r"^(rag|bob)\s*-\s*", r"\1 - ", key)
    return _POLARITY_SPELLINGS.get(key)


def normalise_polarity(polarity: Any) -> Any:
    """Map a polarity spelling to "higher is better" | "lower is better" | "no judgement".

    Method: case- and whitespace-insensitive lookup. Accepts this package's spellings and the
    Fingertips metadata ones ("High is good", "Low is good", "No judgement", "RAG - High is
    good", "RAG - Low is good", "BOB - Blue orange blue", "Not applicable"). Missing or empty
    polarity means "no judgement". Unrecognised spellings give None.
    Reference: Fingertips indicator metadata field ``Polarity``. Units: none (labels).
    Scalar in, scalar out; array/Series in, array/Series out.
    """
    if isinstance(polarity, pd.Series):
        return polarity.map(_normalise_one)
    if isinstance(polarity, list | tuple | np.ndarray):
        arr = np.asarray(polarity, dtype=object)
        return np.array([_normalise_one(p) for p in arr.ravel()], dtype=object).reshape(arr.shape)
    return _normalise_one(polarity)


def _polarity_array(polarity: Any, shape: tuple[int, ...]) -> np.ndarray:
    if isinstance(polarity, str) or polarity is None or np.ndim(polarity) == 0:
        return np.full(shape, _normalise_one(polarity), dtype=object)
    values = polarity.to_numpy(dtype=object) if isinstance(polarity, pd.Series) else polarity
    arr = np.asarray(values, dtype=object)
    # normalise each distinct spelling once (fast for long columns with few spellings)
    codes, uniques = pd.factorize(pd.Series(arr.ravel(), dtype=object), use_na_sentinel=False)
    mapped = np.array([_normalise_one(u) for u in uniques], dtype=object)
    return np.broadcast_to(mapped[codes].reshape(arr.shape), shape)


def compare(value: Any, lower: Any, upper: Any, benchmark: Any,
            polarity: Any = NO_JUDGEMENT, with_reason: bool = False) -> Any:
    """Compare values with a benchmark using their confidence intervals (Fingertips method).

    Method: "confidence intervals overlapping reference value" - ``lower > benchmark`` means
    higher, ``upper < benchmark`` lower, otherwise similar. Polarity "higher is better" maps
    higher/lower to "better"/"worse", "lower is better" to "worse"/"better", and "no
    judgement" leaves "higher"/"similar"/"lower". Missing interval, value or benchmark (or an
    unrecognised polarity, or lower > upper) gives "not compared". Pass the 95% or the 99.8%
    limits, whichever level the indicator is benchmarked at.
    Reference: Fingertips ``BenchmarkComparisonMethod`` "Confidence intervals overlapping
    reference value (95.0)" / "(99.8)"; PHE Technical Guide: Confidence intervals (2018).
    Units: value, limits and benchmark in the indicator's own (identical) units; output labels.

    Returns an array of labels (a Series if any input is a Series, a str for scalars). With
    ``with_reason=True`` returns a DataFrame with columns comparison, reason, polarity.
    """
    arrays = np.broadcast_arrays(_as_float(value), _as_float(lower), _as_float(upper),
                                 _as_float(benchmark))
    v, lo, hi, b = (np.array(a, dtype=float) for a in arrays)
    shape = v.shape
    if not isinstance(polarity, str) and polarity is not None and np.ndim(polarity) > 0:
        shape = np.broadcast_shapes(shape, np.shape(polarity))
        v, lo, hi, b = (np.broadcast_to(a, shape) for a in (v, lo, hi, b))
    pol = _polarity_array(polarity, shape)
    index = _first_index(value, lower, upper, benchmark, polarity)

    higher = lo > b
    lower_than = hi < b
    direction = np.where(higher, "higher", np.where(lower_than, "lower", "similar")).astype(object)
    label = direction.copy()
    hib = pol == HIGHER_IS_BETTER
    lib = pol == LOWER_IS_BETTER
    label[hib & higher] = "better"
    label[hib & lower_than] = "worse"
    label[lib & higher] = "worse"
    label[lib & lower_than] = "better"

    rules = [
        (np.isnan(v), MISSING_VALUE),
        (np.isnan(lo) | np.isnan(hi), NO_INTERVAL),
        (np.isnan(b), MISSING_BENCHMARK),
        (lo > hi, LIMITS_REVERSED),
        (np.equal(pol, None), UNRECOGNISED_POLARITY),
    ]
    reason = np.full(shape, "", dtype=object)
    for mask, text in reversed(rules):
        reason[mask] = text
    label[reason != ""] = "not compared"

    if with_reason:
        frame = pd.DataFrame({"comparison": label.ravel(), "reason": reason.ravel(),
                              "polarity": pol.ravel()})
        if index is not None and len(index) == len(frame):
            frame.index = index
        return frame
    if index is not None and len(index) == label.size:
        return pd.Series(label.ravel(), index=index, name="comparison")
    if label.ndim == 0:
        return label[()]
    return label


# ---- the indicator's own method (Fingertips metadata BenchmarkComparisonMethod) -------------

class ComparisonMethod(NamedTuple):
    """How an indicator is benchmarked: ``kind`` "interval" (at ``level``), "quintiles" or
    "none"."""

    kind: str
    level: float | None = None


CI_95 = ComparisonMethod("interval", 0.95)
CI_998 = ComparisonMethod("interval", 0.998)
QUINTILES = ComparisonMethod("quintiles")
NO_COMPARISON = ComparisonMethod("none")
QUINTILE_LABELS = ("lowest", "low", "middle", "high", "highest")
QUINTILE_JUDGED = {HIGHER_IS_BETTER: ("worst", "worse", "middle", "better", "best"),
                   LOWER_IS_BETTER: ("best", "better", "middle", "worse", "worst")}


def comparison_method(text: Any) -> ComparisonMethod:
    """Read the Fingertips metadata field ``BenchmarkComparisonMethod``.

    "Confidence intervals overlapping reference value (95.0)" -> interval at 95%, "(99.8)" ->
    99.8%, "Quintiles" -> quintiles, "No comparison" -> none. A missing or empty field means
    the Fingertips default, 95%. Raises ValueError for anything else (never guesses).
    Reference: FingertipsNext indicator metadata, field ``BenchmarkComparisonMethod``.
    """
    if text is None or (isinstance(text, float) and np.isnan(text)) or text is pd.NA:
        return CI_95
    key = " ".join(str(text).lower().split())
    if key == "":
        return CI_95
    if key == "quintiles":
        return QUINTILES
    if key in ("no comparison", "not compared"):
        return NO_COMPARISON
    match = re.fullmatch(r"confidence intervals? overlapping reference value \((95(?:\.0)?|"
                         r"99\.8)\)", key)
    if match:
        return CI_95 if match[1].startswith("95") else CI_998
    raise ValueError(f"BenchmarkComparisonMethod {str(text)!r} is not one Fingertips uses "
                     "(95.0 or 99.8 confidence intervals, Quintiles, No comparison)")


def quintiles(values: Any, polarity: Any = NO_JUDGEMENT) -> pd.Series:
    """Fingertips quintile comparison: each area's fifth among the areas compared.

    Method: areas with a value are ranked (ascending; ties share the mean rank) and area ``i``
    of ``n`` falls in quintile ``ceil(5 * rank_i / n)``. Labels are "lowest" .. "highest"
    without a polarity, "worst" .. "best" (or the reverse) with one; missing values are "not
    compared". Reference: PHE Fingertips technical guidance, benchmarking by quintiles.
    """
    series = pd.Series(_as_float(values) if not isinstance(values, pd.Series) else values,
                       dtype=float)
    pol = _normalise_one(polarity)
    labels = QUINTILE_JUDGED.get(pol, QUINTILE_LABELS)
    ranks = series.rank(method="average")
    n = int(series.notna().sum())
    out = pd.Series("not compared", index=series.index, dtype=object)
    if n:
        fifth = np.ceil(5 * ranks[series.notna()] / n).clip(1, 5).astype(int)
        out[series.notna()] = [labels[q - 1] for q in fifth]
    return out


def compare_by_method(method: ComparisonMethod, value: Any, lower95: Any, upper95: Any,
                      lower998: Any, upper998: Any, benchmark: Any,
                      polarity: Any = NO_JUDGEMENT) -> Any:
    """Compare as the indicator's own method says (:func:`comparison_method`): the 95% or
    99.8% interval against the benchmark (:func:`compare`), quintiles among the values given
    (:func:`quintiles`), or "not compared". Reference: Fingertips ``BenchmarkComparisonMethod``.
    """
    if method.kind == "interval":
        lo, hi = (lower95, upper95) if method.level == 0.95 else (lower998, upper998)
        return compare(value, lo, hi, benchmark, polarity)
    if method.kind == "quintiles":
        return quintiles(value, polarity)
    shape = np.shape(_as_float(value))
    return np.full(shape, "not compared", dtype=object)
