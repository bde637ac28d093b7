"""Fingertips "recent trend" test on the most recent five points of an indicator series.

Method, following the Fingertips trend-marker calculator (PHE Fingertips technical guidance
"Fingertips trend markers"; ``TrendMarkerCalculator`` in the Fingertips source code):

* At least five points are needed; the test uses the most recent five, numbered t = 1..5 in
  time order (so the periods must be consecutive, non-overlapping years).
* Proportions (numerator/denominator): the chi-squared test for linear trend in proportions
  (Cochran-Armitage, no continuity correction):
  ``X2 = N (N sum(x t) - X sum(n t))^2 / (X (N - X) (N sum(n t^2) - sum(n t)^2))``
  where x, n are the numerators and denominators, X = sum(x), N = sum(n). This is R's
  ``prop.trend.test``.
* Every other value type (crude rates, directly standardised rates, ...): weighted linear
  regression of the values on t with weights 1 / SE^2, SE = (upper95 - lower95) / 3.92, and
  ``X2 = (slope / SE(slope))^2``. Crude rates given as numerator/denominator get their 95%
  limits from :func:`indicators.intervals.rate` (exact below 10 events, Byar's otherwise).
* Significance: X2 compared with the chi-squared (1 df) quantile at the 99.8% level,
  9.5495 (= 3.0902^2) - the constant ``ChiSquareConfidence = 9.54953570608324`` that
  Fingertips uses.
* Outlier check (Fingertips): the trend only counts if the slope has the same sign with all
  five points and with each point left out in turn (six slopes: weighted value slopes for the
  regression method, unweighted slopes of logit(p) for proportions). For proportions the
  direction reported is that of the tested trend (the weighted slope of p on t, the sign of
  the Cochran-Armitage score), which must agree with those six slopes too.

Result labels: "increasing and getting better", "increasing and getting worse", "decreasing and
getting better", "decreasing and getting worse" (with a polarity), "increasing", "decreasing"
(no judgement), "no significant change", or "cannot be calculated" (with the reason).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from indicators.compare import HIGHER_IS_BETTER, LOWER_IS_BETTER, _normalise_one
from indicators.intervals import _as_float, rate

__all__ = [
    "CHI_SQUARED_998",
    "TrendResult",
    "proportion_trend_chi2",
    "recent_trend",
    "trend_frame",
    "weighted_trend_chi2",
]

POINTS = 5
#: chi-squared (1 df) critical value at 99.8%, as Fingertips' ChiSquareConfidence.
CHI_SQUARED_998 = float(stats.chi2.ppf(0.998, 1))

INCREASING_BETTER = "increasing and getting better"
INCREASING_WORSE = "increasing and getting worse"
DECREASING_BETTER = "decreasing and getting better"
DECREASING_WORSE = "decreasing and getting worse"
INCREASING = "increasing"
DECREASING = "decreasing"
NO_CHANGE = "no significant change"
CANNOT = "cannot be calculated"

PROPORTION_TYPES = {"proportion", "percentage", "indirectly standardised proportion"}


@dataclass(frozen=True)
class TrendResult:
    """Outcome of :func:`recent_trend` for one series.

    ``trend`` is the label; ``chi_squared`` the test statistic (1 df); ``slope`` the trend
    gradient per period (proportion per period for proportions, indicator units per period
    otherwise); ``points_used`` how many points entered the test; ``reason`` why the trend is
    "cannot be calculated" or not significant (empty when significant).
    """

    trend: str
    chi_squared: float
    slope: float
    significant: bool
    consistent: bool
    points_used: int
    method: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        """The result as a plain dict (one row of :func:`trend_frame`)."""
        return asdict(self)


def _cannot(reason: str, method: str, points: int = 0) -> TrendResult:
    return TrendResult(CANNOT, np.nan, np.nan, False, False, points, method, reason)


def proportion_trend_chi2(numerators: Any, denominators: Any, scores: Any = None) -> float:
    """Chi-squared statistic for linear trend in proportions (Cochran-Armitage, 1 df).

    Method: X2 = N (N sum(x t) - X sum(n t))^2 / (X (N - X) (N sum(n t^2) - sum(n t)^2)), no
    continuity correction; scores t default to 1..k.
    Reference: Armitage P (1955) Biometrics 11:375-386; R ``prop.trend.test``; Fingertips
    ``TrendMarkerCalculator.IsSignificantForProportions``. Units: chi-squared (dimensionless).
    Returns NaN when the statistic is undefined (no events, all events, one distinct score).
    """
    x = np.asarray(_as_float(numerators), dtype=float).ravel()
    n = np.asarray(_as_float(denominators), dtype=float).ravel()
    t = np.arange(1, len(x) + 1, dtype=float) if scores is None else np.asarray(
        _as_float(scores), dtype=float).ravel()
    big_x, big_n = x.sum(), n.sum()
    with np.errstate(all="ignore"):
        num = big_n * (big_n * (x * t).sum() - big_x * (n * t).sum()) ** 2
        den = big_x * (big_n - big_x) * (big_n * (n * t * t).sum() - (n * t).sum() ** 2)
        chi2 = num / den
    return float(chi2) if np.isfinite(chi2) else np.nan


def _weighted_slope(values, se, t):
    w = 1.0 / (se * se)
    s1, s2, s3, s4, s5 = w.sum(), (w * values * t).sum(), (w * t).sum(), (w * values).sum(), \
        (w * t * t).sum()
    det = s1 * s5 - s3 * s3
    slope = (s1 * s2 - s3 * s4) / det
    se_slope = np.sqrt(s1 / det)
    return slope, se_slope


def weighted_trend_chi2(values: Any, lower95: Any, upper95: Any,
                        scores: Any = None) -> tuple[float, float]:
    """Slope and chi-squared for a linear trend by inverse-variance weighted regression.

    Method: regress values on t (default 1..k) with weights 1/SE^2, SE = (upper95 - lower95) /
    3.92; X2 = (slope / SE(slope))^2 with SE(slope) = sqrt(sum(w) / (sum(w) sum(w t^2) -
    sum(w t)^2)) (known-variance weights, no residual scaling).
    Reference: Fingertips ``TrendMarkerCalculator.IsSignificant`` (value types other than
    proportions). Units: slope in the indicator's units per period; chi-squared dimensionless.
    Returns (slope, chi_squared); NaN when undefined.
    """
    v = np.asarray(_as_float(values), dtype=float).ravel()
    se = (np.asarray(_as_float(upper95), dtype=float).ravel()
          - np.asarray(_as_float(lower95), dtype=float).ravel()) / 3.92
    t = np.arange(1, len(v) + 1, dtype=float) if scores is None else np.asarray(
        _as_float(scores), dtype=float).ravel()
    with np.errstate(all="ignore"):
        slope, se_slope = _weighted_slope(v, se, t)
        chi2 = (slope / se_slope) ** 2
    if not (np.isfinite(slope) and np.isfinite(chi2)):
        return np.nan, np.nan
    return float(slope), float(chi2)


def _slopes_consistent(slopes: Sequence[float]) -> bool:
    # Fingertips counts a slope of exactly zero as positive; all six signs must agree.
    signs = [-1 if s < 0 else 1 for s in slopes]
    return all(np.isfinite(slopes)) and abs(sum(signs)) == len(signs)


def _label(slope: float, polarity: str | None) -> str:
    up = slope > 0
    if polarity == HIGHER_IS_BETTER:
        return INCREASING_BETTER if up else DECREASING_WORSE
    if polarity == LOWER_IS_BETTER:
        return INCREASING_WORSE if up else DECREASING_BETTER
    return INCREASING if up else DECREASING


def _start_year(period: Any) -> int | None:
    """The first year of a period label: 2021, "2021", "2021/22", "2021-22" -> 2021 (a
    whole number counts as a year index)."""
    match = re.fullmatch(r"\s*(\d{1,4})(?:\s*[/-]\s*\d{2}(?:\d{2})?)?\s*", str(period))
    return int(match[1]) if match else None


def recent_trend(periods: Any, numerator: Any = None, denominator: Any = None, *,
                 value: Any = None, lower95: Any = None, upper95: Any = None,
                 value_type: str = "proportion", polarity: Any = "no judgement",
                 significance: float = 0.998) -> TrendResult:
    """Fingertips recent-trend marker for one indicator series.

    Method: see the module docstring - chi-squared test for linear trend in proportions
    (Cochran-Armitage) for ``value_type="proportion"`` (needs numerator and denominator), and
    an inverse-variance weighted regression chi-squared for every other value type (needs value
    with 95% limits, or for ``value_type="rate"`` numerator and denominator), on the most
    recent 5 points, significant when X2 exceeds the chi-squared(1) quantile at ``significance``
    (default 99.8%, X2 > 9.5495, as Fingertips) and the leave-one-out slopes agree in sign.
    Reference: PHE Fingertips technical guidance "Fingertips trend markers"; Fingertips
    ``TrendMarkerCalculator``; Armitage (1955). Units: ``periods`` any sortable labels (e.g.
    2021, "2021/22"); values in the indicator's units; result labels.

    ``polarity`` accepts the spellings of :func:`indicators.compare.normalise_polarity`.
    Never raises for bad data: returns "cannot be calculated" with the reason instead.
    """
    vt = str(value_type).strip().lower()
    is_prop = vt in PROPORTION_TYPES
    method = ("chi-squared test for trend in proportions" if is_prop
              else "weighted regression chi-squared")
    pol = _normalise_one(polarity)
    if pol is None:
        return _cannot("unrecognised polarity", method)

    per = pd.Series(np.asarray(periods, dtype=object).ravel(), dtype=object)
    k = len(per)

    def column(x):
        if x is None:
            return np.full(k, np.nan)
        arr = np.asarray(_as_float(x), dtype=float).ravel()
        return np.broadcast_to(arr, (k,)).astype(float) if arr.size in (1, k) else None

    cols = {name: column(x) for name, x in [("numerator", numerator),
                                            ("denominator", denominator), ("value", value),
                                            ("lower95", lower95), ("upper95", upper95)]}
    if any(c is None for c in cols.values()):
        return _cannot("inputs have different lengths", method)
    if per.isna().any():
        return _cannot("missing period", method)
    if per.duplicated().any():
        return _cannot("duplicate periods", method)
    try:
        order = np.argsort(per.to_numpy(), kind="stable")
    except TypeError:
        return _cannot("periods cannot be ordered", method)
    if k < POINTS:
        return _cannot(f"fewer than {POINTS} points", method, k)
    recent = order[-POINTS:]
    years = [_start_year(p) for p in per.to_numpy()[recent]]
    if any(y is None for y in years):
        return _cannot("periods are not years, so an unbroken series cannot be checked",
                       method, POINTS)
    if np.any(np.diff(years) != 1):
        return _cannot(f"the most recent {POINTS} points are not consecutive years "
                       "(a gap in the series)", method, POINTS)
    x = cols["numerator"][recent]
    n = cols["denominator"][recent]
    t = np.arange(1, POINTS + 1, dtype=float)
    crit = float(stats.chi2.ppf(significance, 1)) if 0 < significance < 1 else np.nan
    if not np.isfinite(crit):
        return _cannot("invalid significance level", method)

    if is_prop:
        if np.isnan(x).any() or np.isnan(n).any():
            return _cannot("missing numerator or denominator in the most recent 5 points",
                           method, POINTS)
        if (n <= 0).any() or (x < 0).any() or (x > n).any():
            return _cannot("invalid numerator or denominator in the most recent 5 points",
                           method, POINTS)
        if ((x == 0) | (x == n)).any():
            return _cannot("a proportion of 0 or 1 in the most recent 5 points", method,
                           POINTS)
        chi2 = proportion_trend_chi2(x, n)
        if not np.isfinite(chi2):
            return _cannot("trend statistic undefined", method, POINTS)
        with np.errstate(all="ignore"):
            w = n / (x.sum() / n.sum() * (1 - x.sum() / n.sum()))
            p = x / n
            slope = float(np.sum(w * (t - np.average(t, weights=w)) * p)
                          / np.sum(w * (t - np.average(t, weights=w)) ** 2))
            logit = np.log(x / (n - x))
        slopes = [np.polyfit(t, logit, 1)[0]]
        for drop in range(POINTS):
            keep = np.arange(POINTS) != drop
            slopes.append(np.polyfit(t[keep], logit[keep], 1)[0])
        # the direction reported is that of the trend tested (weighted slope of p on t);
        # it must agree with Fingertips' six logit slopes too
        slopes.append(slope)
    else:
        v = cols["value"][recent]
        lo = cols["lower95"][recent]
        hi = cols["upper95"][recent]
        if np.isnan(v).all() and vt in {"rate", "crude rate"}:
            if np.isnan(x).any() or np.isnan(n).any():
                return _cannot("missing numerator or denominator in the most recent 5 points",
                               method, POINTS)
            est = rate(x, n, multiplier=1, confidence=0.95)
            v, lo, hi = (np.asarray(a, dtype=float) for a in est)
        if np.isnan(v).any() or np.isnan(lo).any() or np.isnan(hi).any():
            return _cannot("missing value or 95% confidence limits in the most recent 5 points",
                           method, POINTS)
        if (hi <= lo).any():
            return _cannot("a confidence interval of zero width in the most recent 5 points",
                           method, POINTS)
        se = (hi - lo) / 3.92
        with np.errstate(all="ignore"):
            slope, se_slope = _weighted_slope(v, se, t)
            chi2 = float((slope / se_slope) ** 2)
            slopes = [slope]
            for drop in range(POINTS):
                keep = np.arange(POINTS) != drop
                slopes.append(_weighted_slope(v[keep], se[keep], t[keep])[0])
        slope = float(slope)
        if not np.isfinite(chi2):
            return _cannot("trend statistic undefined", method, POINTS)

    consistent = _slopes_consistent(slopes)
    significant = bool(chi2 > crit and consistent)
    if significant:
        return TrendResult(_label(slope, pol), chi2, slope, True, True, POINTS, method, "")
    if chi2 > crit:
        reason = "slope changes sign when a point is left out"
    else:
        reason = f"chi-squared {chi2:.3f} not above {crit:.3f}"
    return TrendResult(NO_CHANGE, chi2, slope, False, consistent, POINTS, method, reason)


def trend_frame(df: pd.DataFrame, by: str | list[str] | None, period: str,
                numerator: str | None = None, denominator: str | None = None, *,
                value: str | None = None, lower95: str | None = None,
                upper95: str | None = None, value_type: str = "proportion",
                polarity: str = "no judgement", significance: float = 0.998) -> pd.DataFrame:
    """Apply :func:`recent_trend` to every series (group) of a long DataFrame.

    Method, reference and units as :func:`recent_trend`. Column arguments name columns of
    ``df``; ``polarity`` is either a polarity spelling or the name of a column holding one
    (the first value in each group is used). Returns one row per group with the ``by``
    columns and trend, chi_squared, slope, significant, consistent, points_used, method,
    reason.
    """
    by_cols = [] if by is None else ([by] if isinstance(by, str) else list(by))

    def get(frame, name):
        return None if name is None else frame[name]

    rows = []
    groups = (df.groupby(by_cols, sort=False, dropna=False) if by_cols
              else [((), df)])
    for key, g in groups:
        pol = g[polarity].iloc[0] if polarity in g.columns else polarity
        res = recent_trend(g[period], get(g, numerator), get(g, denominator),
                           value=get(g, value), lower95=get(g, lower95),
                           upper95=get(g, upper95), value_type=value_type, polarity=pol,
                           significance=significance)
        keys = key if isinstance(key, tuple) else (key,)
        rows.append({**dict(zip(by_cols, keys, strict=True)), **res.as_dict()})
    columns = [*by_cols, *TrendResult.__dataclass_fields__]
    return pd.DataFrame(rows, columns=columns)
