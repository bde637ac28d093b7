"""indicators.trend: the Fingertips recent-trend marker.

Expected markers for the proportion series below are those asserted by the Fingertips
source's own unit tests (fingertips-open, WhenUsingTrendMarkerCalculator: series from
Fingertips indicators 20301, 1172 and 10101); statistics are checked against statsmodels."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.contingency_tables import Table

from indicators import trend as tr
from indicators.intervals import rate
from tests.realdata import realdata_path

# (numerators, denominators) for five consecutive years, oldest first
FINGERTIPS_SERIES = {
    "20301 decreasing": (([621, 599, 556, 535, 447], [3454, 3195, 3256, 3227, 3121]),
                         "decreasing"),
    "1172 increasing": (([8116, 8145, 8222, 8506, 8728],
                         [91530, 91773, 92088, 92238, 92665.89]), "increasing"),
    "10101 no change": (([5405, 5500, 5435, 5480, 5315], [18095, 18170, 18005, 17890, 17860]),
                        "no significant change"),
    "10101 decreasing": (([22435, 22445, 21365, 20955, 19055],
                          [65880, 67900, 68705, 69835, 70910]), "decreasing"),
}


def test_significance_level_is_fingertips_99_8():
    # Fingertips TrendMarkerCalculator: ChiSquareConfidence = 9.54953570608324
    critical = tr.CHI_SQUARED_998
    assert critical == pytest.approx(9.54953570608324, abs=1e-9)
    assert critical == pytest.approx(stats.norm.ppf(0.999) ** 2)


@pytest.mark.parametrize("name", list(FINGERTIPS_SERIES))
def test_fingertips_own_test_series(name):
    (x, n), expected = FINGERTIPS_SERIES[name]
    res = tr.recent_trend([2008, 2009, 2010, 2011, 2012], x, n, value_type="proportion")
    assert res.trend == expected
    assert res.points_used == 5
    assert res.significant == (expected != "no significant change")


@pytest.mark.parametrize("polarity,expected", [
    ("High is good", "decreasing and getting worse"),
    ("Low is good", "decreasing and getting better"),
    ("No judgement", "decreasing"),
])
def test_polarity_labels(polarity, expected):
    (x, n), _ = FINGERTIPS_SERIES["20301 decreasing"]
    assert tr.recent_trend(range(5), x, n, polarity=polarity).trend == expected


def test_increasing_labels():
    (x, n), _ = FINGERTIPS_SERIES["1172 increasing"]
    assert tr.recent_trend(range(5), x, n, polarity="RAG - High is good").trend == \
        "increasing and getting better"
    assert tr.recent_trend(range(5), x, n, polarity="lower is better").trend == \
        "increasing and getting worse"


@pytest.mark.parametrize("name", list(FINGERTIPS_SERIES))
def test_proportion_chi2_matches_statsmodels(name):
    (x, n), _ = FINGERTIPS_SERIES[name]
    x, n = np.asarray(x, float), np.asarray(n, float)
    chi2 = tr.proportion_trend_chi2(x, n)
    # statsmodels' linear-by-linear association test uses the (N - 1) variance: the
    # Cochran-Armitage statistic is its z^2 scaled by N / (N - 1)
    big_n = n.sum()
    ordinal = Table(np.column_stack([x, n - x])).test_ordinal_association(
        row_scores=np.arange(1, 6), col_scores=np.array([0, 1]))
    assert chi2 == pytest.approx(ordinal.zscore**2 * big_n / (big_n - 1), rel=1e-9)
    # and R's prop.trend.test: explained sum of squares of the weighted regression of p on t
    pbar = x.sum() / big_n
    wls = sm.WLS(x / n, sm.add_constant(np.arange(1, 6.0)), weights=n / (pbar * (1 - pbar))).fit()
    assert chi2 == pytest.approx(wls.ess, rel=1e-9)


def test_weighted_chi2_matches_statsmodels_wls():
    values = np.array([2228.2, 2256.4, 2062.0, 2099.9, 1932.8])
    half = np.array([9.2, 9.2, 8.7, 8.7, 8.3])
    slope, chi2 = tr.weighted_trend_chi2(values, values - half, values + half)
    se = 2 * half / 3.92
    fit = sm.WLS(values, sm.add_constant(np.arange(1, 6.0)), weights=1 / se**2).fit(
        cov_type="fixed scale")
    assert slope == pytest.approx(fit.params[1], rel=1e-9)
    assert chi2 == pytest.approx((fit.params[1] / fit.bse[1]) ** 2, rel=1e-9)


def test_uses_only_the_most_recent_five_points_in_time_order():
    (x, n), _ = FINGERTIPS_SERIES["20301 decreasing"]
    base = tr.recent_trend([2010, 2011, 2012, 2013, 2014], x, n)
    # an older, wildly different point is ignored
    older = tr.recent_trend([2009, 2010, 2011, 2012, 2013, 2014], [1, *x], [3000, *n])
    assert older.trend == base.trend and older.chi_squared == pytest.approx(base.chi_squared)
    # rows given in any order give the same answer
    order = [3, 0, 4, 1, 2]
    shuffled = tr.recent_trend(np.array([2010, 2011, 2012, 2013, 2014])[order],
                               np.array(x)[order], np.array(n)[order])
    assert shuffled == base


def test_leave_one_out_sign_check_blocks_a_trend_driven_by_one_point():
    # large chi-squared, but the downward slope comes from the first point alone
    values = np.array([300.0, 100.0, 101.0, 102.0, 103.0])
    res = tr.recent_trend(range(5), value=values, lower95=values - 1, upper95=values + 1,
                          value_type="directly standardised rate")
    assert res.chi_squared > tr.CHI_SQUARED_998
    assert res.trend == "no significant change"
    assert not res.consistent and "sign" in res.reason


@pytest.mark.parametrize("kwargs,reason", [
    ({"periods": [1, 2, 3, 4], "numerator": [5, 6, 7, 8], "denominator": [100] * 4},
     "fewer than 5 points"),
    ({"periods": [1, 2, 3, 4, 5], "numerator": [5, 6, None, 8, 9], "denominator": [100] * 5},
     "missing numerator or denominator in the most recent 5 points"),
    ({"periods": [1, 2, 2, 4, 5], "numerator": [5, 6, 7, 8, 9], "denominator": [100] * 5},
     "duplicate periods"),
    ({"periods": [1, 2, 3, 4, 5], "numerator": [5, 6, 7, 8, 9], "denominator": [100] * 5,
      "polarity": "upside down"}, "unrecognised polarity"),
    ({"periods": [1, 2, 3, 4, 5], "numerator": [0, 6, 7, 8, 9], "denominator": [100] * 5},
     "a proportion of 0 or 1 in the most recent 5 points"),
])
def test_cannot_be_calculated_with_reason(kwargs, reason):
    res = tr.recent_trend(**kwargs)
    assert res.trend == "cannot be calculated"
    assert res.reason == reason
    assert math.isnan(res.chi_squared)


def test_rate_from_numerator_and_denominator_uses_poisson_intervals():
    years = [2019, 2020, 2021, 2022, 2023]
    x = np.array([900, 850, 800, 700, 650])
    n = np.full(5, 100_000)
    res = tr.recent_trend(years, x, n, value_type="rate", polarity="Low is good")
    # same result when the intervals are supplied by the caller
    v, lo, hi = rate(x, n, multiplier=1)
    supplied = tr.recent_trend(years, value=v, lower95=lo, upper95=hi, value_type="rate",
                               polarity="Low is good")
    assert res == supplied
    assert res.trend == "decreasing and getting better"


def test_trend_frame_one_row_per_group():
    (x1, n1), _ = FINGERTIPS_SERIES["20301 decreasing"]
    (x2, n2), _ = FINGERTIPS_SERIES["10101 no change"]
    df = pd.DataFrame({
        "area": ["A"] * 5 + ["B"] * 5 + ["C"] * 3,
        "year": [*range(2015, 2020), *range(2015, 2020), 2017, 2018, 2019],
        "num": [*x1, *x2, 1, 2, 3],
        "den": [*n1, *n2, 10, 10, 10],
    })
    out = tr.trend_frame(df.sample(frac=1, random_state=0), "area", "year", "num", "den")
    out = out.set_index("area")
    assert out.loc["A", "trend"] == "decreasing"
    assert out.loc["B", "trend"] == "no significant change"
    assert out.loc["C", "trend"] == "cannot be calculated"
    assert {"chi_squared", "slope", "reason", "points_used"} <= set(out.columns)


@pytest.mark.realdata
def test_trend_runs_on_real_fingertips_series():
    rows = pd.read_csv(realdata_path("fingertips_22401_falls65plus_subset.csv"))
    by = ["AreaCode", "Sex", "CategoryType", "Category"]
    out = tr.trend_frame(rows, by, "Year", value="Value", lower95="LowerCI",
                         upper95="UpperCI", value_type="directly standardised rate",
                         polarity="Low is good")
    assert len(out) == rows.groupby(by, dropna=False).ngroups
    allowed = {"increasing and getting better", "increasing and getting worse",
               "decreasing and getting better", "decreasing and getting worse",
               "no significant change", "cannot be calculated"}
    assert set(out["trend"]) <= allowed
    assert (out["reason"][out["trend"] == "cannot be calculated"] != "").all()
    # England, all persons: 2019-2023 rates fell from 2256 to 1984 per 100,000 with intervals
    # under +/-10 - a significant fall; falls admissions are "Low is good"
    eng = out[(out["AreaCode"] == "E92000001") & (out["Sex"] == "Persons")
              & out["Category"].isna()].iloc[0]
    assert eng["trend"] == "decreasing and getting better"
    assert eng["slope"] < 0
    # series with fewer than 5 years cannot be calculated
    sizes = rows.groupby(by, dropna=False).size().reset_index(name="points")
    merged = out.merge(sizes, on=by)
    assert (merged.loc[merged["points"] < 5, "trend"] == "cannot be calculated").all()


def test_recent_trend_needs_an_unbroken_series_of_five_years():
    x, n = [50, 60, 70, 80, 90], [1000] * 5
    whole = tr.recent_trend(["2017/18", "2018/19", "2019/20", "2020/21", "2021/22"], x, n)
    assert whole.trend != "cannot be calculated"
    gap = tr.recent_trend(["2016/17", "2018/19", "2019/20", "2020/21", "2021/22"], x, n)
    assert gap.trend == "cannot be calculated" and "not consecutive" in gap.reason
    # six points with a gap before the last five: the last five are unbroken, so it counts
    six = tr.recent_trend([2014, 2017, 2018, 2019, 2020, 2021], [40, *x], [1000] * 6)
    assert six.trend != "cannot be calculated"
    quarters = tr.recent_trend(["2021 Q1", "2021 Q2", "2021 Q3", "2021 Q4", "2022 Q1"], x, n)
    assert quarters.trend == "cannot be calculated" and "not years" in quarters.reason
