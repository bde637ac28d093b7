"""Confidence intervals for public-health indicators, as Fingertips and PHEindicatormethods do.

Methods (all vectorised over numpy arrays and pandas Series):

* :func:`wilson` / :func:`proportion` - Wilson score interval for a proportion
  (Wilson 1927; PHEindicatormethods ``phe_proportion`` / ``wilson_lower`` / ``wilson_upper``).
* :func:`byar` - Byar's approximation to the Poisson interval for a count
  (Breslow & Day 1987; PHEindicatormethods ``byars_lower`` / ``byars_upper``).
* :func:`exact_poisson` - exact Poisson interval for a count from chi-squared quantiles
  (Armitage & Berry 2002; as in PHEindicatormethods ``phe_rate`` for counts below 10).
* :func:`rate` - crude rate per ``multiplier`` with the exact method for counts below 10 and
  Byar's method otherwise (PHEindicatormethods ``phe_rate``).
* Directly standardised rates (Dobson's method) are in :mod:`indicators.dsr`, on the same
  conventions.

Conventions shared by every function here:

* Nothing raises for missing or invalid *data*: the affected element is NaN and a plain-English
  reason is returned alongside (``reason`` is ``""`` where the result is valid).
* ``confidence`` is a two-sided level, either as a fraction (0.95, 0.998) or as a percentage
  (95, 99.8; 50 to under 100), scalar or array. Anything else gives NaN with a reason.
* pandas Series inputs are used by position (not aligned on their index); the outputs are
  Series carrying the index of the first Series argument. Scalar inputs give scalar outputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

__all__ = [
    "Estimate",
    "Interval",
    "byar",
    "exact_poisson",
    "proportion",
    "rate",
    "wilson",
    "z_value",
]

# Reasons reported alongside NaN results. Kept as module constants so callers can test for them.
MISSING_INPUT = "missing input"
NEGATIVE_COUNT = "count is negative"
DENOMINATOR_ZERO = "denominator is zero"
DENOMINATOR_NEGATIVE = "denominator is negative"
NUMERATOR_EXCEEDS_DENOMINATOR = "numerator exceeds denominator"
INVALID_CONFIDENCE = "invalid confidence level"
BYAR_LOWER_UNDEFINED = "Byar's lower limit is undefined (negative) for this count and confidence"
POPULATION_MISSING = "population missing or zero in a band with events"



# --------------------------------------------------------------------------------------------
# Result containers
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Interval:
    """A confidence interval: ``lower, upper = result`` unpacks it; ``reason`` explains NaNs.

    ``method`` names the method used (a string, or an array of strings when it varies by row).
    """

    lower: Any
    upper: Any
    reason: Any
    method: Any = ""

    def __iter__(self):
        yield self.lower
        yield self.upper

    def to_frame(self) -> pd.DataFrame:
        """The interval as a DataFrame with columns lower, upper, reason, method."""
        return _to_frame({"lower": self.lower, "upper": self.upper, "reason": self.reason,
                          "method": self.method})


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its interval: ``value, lower, upper = result`` unpacks it.

    ``reason`` is ``""`` where the estimate is valid, otherwise why it is NaN.
    """

    value: Any
    lower: Any
    upper: Any
    reason: Any
    method: Any = ""

    def __iter__(self):
        yield self.value
        yield self.lower
        yield self.upper

    def to_frame(self) -> pd.DataFrame:
        """The estimate as a DataFrame with columns value, lower, upper, reason, method."""
        return _to_frame({"value": self.value, "lower": self.lower, "upper": self.upper,
                          "reason": self.reason, "method": self.method})


def _to_frame(columns: dict[str, Any]) -> pd.DataFrame:
    index = next((c.index for c in columns.values() if isinstance(c, pd.Series)), None)
    length = max((np.size(c) for c in columns.values() if not isinstance(c, str)), default=1)
    data = {}
    for name, col in columns.items():
        if isinstance(col, pd.Series):
            data[name] = col.to_numpy()
        elif np.ndim(col) == 0:
            data[name] = np.repeat(np.asarray(col, dtype=object if isinstance(col, str) else None),
                                   length)
        else:
            data[name] = np.asarray(col).ravel()
    return pd.DataFrame(data, index=index)


# --------------------------------------------------------------------------------------------
# Input handling helpers (shared with compare, trend and cost)
# --------------------------------------------------------------------------------------------
def _as_float(x: Any) -> np.ndarray:
    """Any scalar / list / array / Series -> float ndarray; None, NA and non-numbers -> NaN."""
    if x is None:
        return np.array(np.nan)
    if isinstance(x, pd.Series | pd.Index):
        return pd.to_numeric(x, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    arr = np.asarray(x)
    if arr.dtype.kind in "fiub":
        return arr.astype(float)
    flat = pd.to_numeric(pd.Series(arr.ravel(), dtype=object), errors="coerce")
    return flat.to_numpy(dtype=float, na_value=np.nan).reshape(arr.shape)


def _first_index(*args: Any) -> pd.Index | None:
    for a in args:
        if isinstance(a, pd.Series):
            return a.index
    return None


def _prepare(*args: Any, confidence: Any = None) -> tuple[list[np.ndarray], pd.Index | None]:
    """Broadcast inputs to float arrays (read-only views); ``confidence``, if given, is scaled
    first and appended last, so a scalar level stays a zero-stride view (see :func:`_z`)."""
    floats = [_as_float(a) for a in args]
    if confidence is not None:
        floats.append(_scale_confidence(_as_float(confidence)))
    return list(np.broadcast_arrays(*floats)), _first_index(*args, confidence)


def _z(c: np.ndarray) -> Any:
    """Two-sided normal quantile for scaled confidence levels; computed once when constant."""
    if c.ndim and c.size and all(stride == 0 for stride in c.strides):
        return special.ndtri(1 - (1 - c.flat[0]) / 2)
    return special.ndtri(1 - (1 - c) / 2)


def _cube(a: np.ndarray) -> np.ndarray:
    return a * a * a


def _wrap(arr: np.ndarray, index: pd.Index | None, name: str | None = None) -> Any:
    if index is not None:
        return pd.Series(np.asarray(arr).ravel(), index=index, name=name)
    if np.ndim(arr) == 0:
        return arr[()]
    return arr


def _reasons(shape: tuple[int, ...], rules: list[tuple[np.ndarray, str]]) -> np.ndarray:
    """Object array of reasons; the first matching rule wins."""
    out = _object_array(shape, "")
    for mask, text in reversed(rules):
        out[np.broadcast_to(mask, shape)] = text
    return out


def _object_array(shape: tuple[int, ...], fill: str) -> np.ndarray:
    out = np.empty(shape, dtype=object)
    out.fill(fill)  # several times faster than np.full for object arrays
    return out


def _scale_confidence(confidence: np.ndarray) -> np.ndarray:
    """Fractions (0 < c < 1) stay, percentages (50 <= c < 100) are divided by 100, else NaN."""
    c = np.where((confidence >= 50) & (confidence < 100), confidence / 100.0, confidence)
    return np.where((c > 0) & (c < 1), c, np.nan)


def z_value(confidence: Any = 0.95) -> Any:
    """Two-sided standard normal quantile for a confidence level.

    Method: z = Phi^-1(1 - (1 - confidence) / 2). Units: standard deviations.
    ``confidence`` is a fraction (0.95) or percentage (95); invalid levels give NaN.
    Reference: PHEindicatormethods uses ``qnorm(confidence + (1 - confidence) / 2)``.
    """
    c = _scale_confidence(_as_float(confidence))
    z = special.ndtri(1 - (1 - c) / 2)
    return z[()] if np.ndim(z) == 0 else z


# --------------------------------------------------------------------------------------------
# Proportions: Wilson score
# --------------------------------------------------------------------------------------------
def _wilson_core(x, n, c):
    z = _z(c)
    with np.errstate(all="ignore"):
        p = x / n
        z2 = z * z
        half = z * np.sqrt(z2 + 4 * x * (1 - p))
        denom = 2 * (n + z2)
        lower = (2 * x + z2 - half) / denom
        upper = (2 * x + z2 + half) / denom
    # Exact at the edges (x = 0 gives lower 0, x = n gives upper 1); clip rounding elsewhere.
    lower = np.where(x == 0, 0.0, np.maximum(lower, 0.0))
    upper = np.where(x == n, 1.0, np.minimum(upper, 1.0))
    reason = _reasons(x.shape, [
        (np.isnan(x) | np.isnan(n), MISSING_INPUT),
        (np.isnan(c), INVALID_CONFIDENCE),
        (x < 0, NEGATIVE_COUNT),
        (n == 0, DENOMINATOR_ZERO),
        (n < 0, DENOMINATOR_NEGATIVE),
        (x > n, NUMERATOR_EXCEEDS_DENOMINATOR),
    ])
    bad = reason != ""
    return np.where(bad, np.nan, lower), np.where(bad, np.nan, upper), reason


def wilson(numerator: Any, denominator: Any, confidence: Any = 0.95) -> Interval:
    """Wilson score confidence interval for a proportion.

    Method: Wilson score interval (no continuity correction),
    lower/upper = (2x + z^2 -/+ z*sqrt(z^2 + 4x(1 - x/n))) / (2(n + z^2)).
    Reference: Wilson EB (1927) JASA 22:209-212; PHEindicatormethods ``wilson_lower`` /
    ``wilson_upper`` (used by ``phe_proportion``); same as statsmodels
    ``proportion_confint(method="wilson")``.
    Units: proportion 0-1 (multiply by 100 for a percentage, or use :func:`proportion`).

    Returns an :class:`Interval` (``lower, upper = wilson(x, n)``); NaN with a reason where
    an input is missing, the denominator is zero or negative, the numerator is negative or
    exceeds the denominator, or the confidence level is invalid.
    """
    (x, n, c), index = _prepare(numerator, denominator, confidence=confidence)
    lower, upper, reason = _wilson_core(x, n, c)
    return Interval(_wrap(lower, index, "lower"), _wrap(upper, index, "upper"),
                    _wrap(reason, index, "reason"), "Wilson")


def proportion(numerator: Any, denominator: Any, multiplier: float = 1,
               confidence: Any = 0.95) -> Estimate:
    """Proportion with its Wilson score confidence interval, scaled by ``multiplier``.

    Method: value = x / n * multiplier; interval from :func:`wilson` times ``multiplier``.
    Reference: PHEindicatormethods ``phe_proportion`` (Wilson 1927).
    Units: proportion 0-1 with multiplier=1, percentage with multiplier=100.
    """
    (x, n, m, c), index = _prepare(numerator, denominator, multiplier, confidence=confidence)
    lower, upper, reason = _wilson_core(x, n, c)
    with np.errstate(all="ignore"):
        value = np.where(reason == "", x / n * m, np.nan)
    return Estimate(_wrap(value, index, "value"), _wrap(lower * m, index, "lower"),
                    _wrap(upper * m, index, "upper"), _wrap(reason, index, "reason"), "Wilson")


# --------------------------------------------------------------------------------------------
# Counts: Byar's approximation and exact Poisson
# --------------------------------------------------------------------------------------------
def _count_reasons(x, c, extra=()):
    return [(np.isnan(x), MISSING_INPUT), (np.isnan(c), INVALID_CONFIDENCE),
            (x < 0, NEGATIVE_COUNT), *extra]


def _byar_core(x, c):
    z = _z(c)
    with np.errstate(all="ignore"):
        lower = x * _cube(1 - 1 / (9 * x) - z / (3 * np.sqrt(x)))
        upper = (x + 1) * _cube(1 - 1 / (9 * (x + 1)) + z / (3 * np.sqrt(x + 1)))
    lower = np.where(x == 0, 0.0, lower)  # the lower limit of a zero count is zero
    return lower, upper


def _exact_core(x, c):
    alpha = 1 - c
    with np.errstate(all="ignore"):
        # chi2.ppf(q, 2x) / 2 == gammaincinv(x, q): the gamma form is the same quantile.
        lower = np.where(x > 0, special.gammaincinv(np.where(x > 0, x, 1.0), alpha / 2), 0.0)
        upper = special.gammaincinv(x + 1, 1 - alpha / 2)
    return lower, upper


def byar(count: Any, confidence: Any = 0.95) -> Interval:
    """Byar's approximate confidence interval for a Poisson count.

    Method: Byar's approximation,
    lower = x(1 - 1/(9x) - z/(3 sqrt x))^3, upper = (x+1)(1 - 1/(9(x+1)) + z/(3 sqrt(x+1)))^3.
    Reference: Breslow NE, Day NE (1987) Statistical methods in cancer research vol. II, IARC;
    PHEindicatormethods ``byars_lower`` / ``byars_upper``.
    Units: number of events (same units as ``count``).

    The lower limit is NaN (reason given) where the bracket goes negative, e.g. a count of 1 at
    99.8% - the PHE rule. A count of 0 has lower limit 0.
    """
    (x, c), index = _prepare(count, confidence=confidence)
    lower, upper = _byar_core(x, c)
    undefined = (x > 0) & (lower < 0)
    reason = _reasons(x.shape, _count_reasons(x, c, [(undefined, BYAR_LOWER_UNDEFINED)]))
    bad = (reason != "") & (reason != BYAR_LOWER_UNDEFINED)
    lower = np.where(bad | undefined, np.nan, lower)
    upper = np.where(bad, np.nan, upper)
    return Interval(_wrap(lower, index, "lower"), _wrap(upper, index, "upper"),
                    _wrap(reason, index, "reason"), "Byar")


def exact_poisson(count: Any, confidence: Any = 0.95) -> Interval:
    """Exact (Garwood) confidence interval for a Poisson count.

    Method: lower = chi2_{alpha/2}(2x) / 2, upper = chi2_{1-alpha/2}(2x + 2) / 2
    (equivalently gamma quantiles), with lower = 0 for x = 0.
    Reference: Armitage P, Berry G (2002) Statistical methods in medical research, 4th edn;
    PHEindicatormethods ``phe_rate`` (counts below 10) using ``qchisq``.
    Units: number of events (same units as ``count``).
    """
    (x, c), index = _prepare(count, confidence=confidence)
    lower, upper = _exact_core(x, c)
    reason = _reasons(x.shape, _count_reasons(x, c))
    bad = reason != ""
    lower = np.where(bad, np.nan, lower)
    upper = np.where(bad, np.nan, upper)
    return Interval(_wrap(lower, index, "lower"), _wrap(upper, index, "upper"),
                    _wrap(reason, index, "reason"), "exact Poisson")


def rate(count: Any, denominator: Any, multiplier: float = 100_000,
         confidence: Any = 0.95) -> Estimate:
    """Crude rate with a Poisson confidence interval: exact below 10 events, Byar's from 10.

    Method: value = x / n * multiplier; interval = count interval / n * multiplier, using the
    exact Poisson interval (:func:`exact_poisson`) when x < 10 and Byar's (:func:`byar`)
    otherwise - as PHE does.
    Reference: PHEindicatormethods ``phe_rate``; Breslow & Day 1987; Armitage & Berry 2002.
    Units: events per ``multiplier`` of the denominator (default per 100,000).

    ``method`` in the result is "exact" or "Byar" per element. The numerator may exceed the
    denominator (rates are not proportions).
    """
    (x, n, m, c), index = _prepare(count, denominator, multiplier, confidence=confidence)
    small = x < 10
    b_lo, b_hi = _byar_core(x, c)
    lower = np.array(b_lo, dtype=float)
    upper = np.array(b_hi, dtype=float)
    if small.any():
        # exact quantiles only where needed (they are far slower than Byar's formula)
        xs, cs = x[small], c[small]
        e_lo, e_hi = _exact_core(xs, cs)
        lower[small] = e_lo
        upper[small] = e_hi
    undefined = (~small) & (lower < 0)
    reason = _reasons(x.shape, [
        (np.isnan(x) | np.isnan(n), MISSING_INPUT),
        (np.isnan(c), INVALID_CONFIDENCE),
        (x < 0, NEGATIVE_COUNT),
        (n == 0, DENOMINATOR_ZERO),
        (n < 0, DENOMINATOR_NEGATIVE),
        (undefined, BYAR_LOWER_UNDEFINED),
    ])
    bad = (reason != "") & (reason != BYAR_LOWER_UNDEFINED)
    with np.errstate(all="ignore"):
        scale = m / n
        value = np.where(bad, np.nan, x * scale)
        lower = np.where(bad | undefined, np.nan, lower * scale)
        upper = np.where(bad, np.nan, upper * scale)
    method = _object_array(x.shape, "Byar")
    method[small] = "exact"
    return Estimate(_wrap(value, index, "value"), _wrap(lower, index, "lower"),
                    _wrap(upper, index, "upper"), _wrap(reason, index, "reason"),
                    _wrap(method, index, "method"))
