"""indicators.intervals against PHEindicatormethods' own test cases, scipy/statsmodels and real
Fingertips rows. Expected values come from the shared files or from independent libraries,
never from this package."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.rates import confint_poisson

from indicators import dsr as dsr_mod
from indicators import intervals as iv
from tests.realdata import realdata_path

ATOL = 1e-6


def _cases() -> pd.DataFrame:
    return pd.read_csv(realdata_path("phe_methods", "phe_proportion_rate_cases.csv"))


def _close_or_missing(got, expected) -> None:
    if pd.isna(expected):
        assert math.isnan(got), f"expected missing, got {got}"
    else:
        assert got == pytest.approx(expected, abs=ATOL, rel=1e-9)


# --------------------------------------------------------------------------------------------
# PHEindicatormethods test cases (shared/realdata/phe_methods)
# --------------------------------------------------------------------------------------------
@pytest.mark.realdata
def test_phe_case_file_has_the_expected_coverage():
    cases = _cases()
    assert len(cases) >= 100
    assert set(cases["statistic"]) == {"proportion", "rate", "count_ci"}
    assert {0.95, 0.998} <= set(cases["confidence"])
    # the file includes expected-missing cases; make sure we test them
    assert cases["expected_lower"].isna().sum() >= 10


@pytest.mark.realdata
def test_phe_proportion_cases_wilson():
    cases = _cases().query("statistic == 'proportion'")
    assert len(cases) > 40
    for row in cases.itertuples():
        est = iv.proportion(row.numerator, row.denominator, multiplier=row.multiplier,
                            confidence=row.confidence)
        _close_or_missing(est.lower, row.expected_lower)
        _close_or_missing(est.upper, row.expected_upper)
        if pd.notna(row.expected_value):
            _close_or_missing(est.value, row.expected_value)
        if str(row.independent_check).startswith("n/a"):
            assert math.isnan(est.value)
            assert est.reason == iv.MISSING_INPUT
        # the bare Wilson interval is the proportion interval without the multiplier
        lo, hi = iv.wilson(row.numerator, row.denominator, row.confidence)
        _close_or_missing(lo * row.multiplier, row.expected_lower)
        _close_or_missing(hi * row.multiplier, row.expected_upper)


@pytest.mark.realdata
def test_phe_rate_cases_exact_below_10_and_byar_otherwise():
    cases = _cases().query("statistic == 'rate'")
    assert len(cases) > 40
    for row in cases.itertuples():
        est = iv.rate(row.numerator, row.denominator, multiplier=row.multiplier,
                      confidence=row.confidence)
        _close_or_missing(est.value, row.expected_value)
        _close_or_missing(est.lower, row.expected_lower)
        _close_or_missing(est.upper, row.expected_upper)
        if row.method in ("Exact", "Byars") and pd.notna(row.expected_value):
            assert est.method == {"Exact": "exact", "Byars": "Byar"}[row.method]
        if pd.isna(row.expected_value):
            assert est.reason == iv.MISSING_INPUT


@pytest.mark.realdata
def test_phe_count_cases_byar_including_missing_lower_at_99_8():
    cases = _cases().query("statistic == 'count_ci'")
    assert len(cases) >= 7
    for row in cases.itertuples():
        lo, hi = iv.byar(row.numerator, row.confidence)
        _close_or_missing(lo, row.expected_lower)
        _close_or_missing(hi, row.expected_upper)
    # the PHE rule: Byar's lower limit for a count of 1 at 99.8% is missing, with a reason
    res = iv.byar(1, 0.998)
    assert math.isnan(res.lower) and not math.isnan(res.upper)
    assert res.reason == iv.BYAR_LOWER_UNDEFINED
    assert not math.isnan(iv.byar(1, 0.95).lower)


@pytest.mark.realdata
def test_phe_cases_vectorised_match_row_by_row():
    cases = _cases().query("statistic == 'rate'")
    est = iv.rate(cases["numerator"], cases["denominator"], cases["multiplier"],
                  cases["confidence"])
    assert isinstance(est.value, pd.Series)
    assert est.value.index.equals(cases.index)
    np.testing.assert_allclose(est.lower.to_numpy(), cases["expected_lower"].to_numpy(),
                               rtol=1e-9, atol=ATOL, equal_nan=True)
    np.testing.assert_allclose(est.upper.to_numpy(), cases["expected_upper"].to_numpy(),
                               rtol=1e-9, atol=ATOL, equal_nan=True)


def _dsr_inputs() -> pd.DataFrame:
    return pd.read_csv(realdata_path("phe_methods", "phe_dsr_isr_inputs.csv"))


def _dsr_expected() -> pd.DataFrame:
    return pd.read_csv(realdata_path("phe_methods", "phe_dsr_expected.csv"))


@pytest.mark.realdata
def test_esp2013_matches_the_standard_population_in_the_phe_inputs():
    inputs = _dsr_inputs()
    esp = dsr_mod.esp2013()
    assert len(esp) == 19
    assert esp["standard_population"].sum() == 100_000
    assert tuple(esp["ageband"]) == dsr_mod.ESP2013_BANDS
    for _, group in inputs.groupby("area"):
        assert group["esp2013_stdpop"].tolist() == esp["standard_population"].tolist()


@pytest.mark.realdata
@pytest.mark.parametrize("confidence,suffix", [(0.95, "95"), (0.998, "998")])
@pytest.mark.parametrize("multiplier", [10_000, 100_000])
def test_phe_dsr_cases(confidence, suffix, multiplier):
    inputs = _dsr_inputs()
    expected = _dsr_expected()
    out = dsr_mod.dsr_frame(inputs, by="area", count="count", population="pop",
                       multiplier=multiplier, confidence=confidence).set_index("area")
    wanted = expected[expected["statistic"].isin([f"dsr per {multiplier}",
                                                  "dsr NA for total count < 10"])]
    assert set(wanted["area"]) == {"testdata_big", "testdata_small", "testdata_tiny"}
    for row in wanted.drop_duplicates("area").itertuples():
        got = out.loc[row.area]
        assert got["total_count"] == row.total_count
        _close_or_missing(got["value"], row.expected_value)
        _close_or_missing(got["lower"], getattr(row, f"expected_lower{suffix}"))
        _close_or_missing(got["upper"], getattr(row, f"expected_upper{suffix}"))
        if pd.isna(row.expected_value):
            assert got["reason"] == dsr_mod.COUNT_BELOW_10
        else:
            assert got["total_population"] == row.total_pop
            assert got["reason"] == ""


@pytest.mark.realdata
def test_phe_dsr_single_area_and_explicit_standard_population_agree():
    inputs = _dsr_inputs()
    expected = _dsr_expected().query("statistic == 'dsr per 100000'").set_index("area")
    explicit = dsr_mod.dsr_frame(inputs, by="area", population="pop",
                            standard_population="esp2013_stdpop").set_index("area")
    for area in ("testdata_big", "testdata_small"):
        group = inputs[inputs["area"] == area]
        value, lower, upper = dsr_mod.dsr(group["count"], group["pop"])
        assert value == pytest.approx(expected.loc[area, "expected_value"], abs=ATOL)
        assert lower == pytest.approx(expected.loc[area, "expected_lower95"], abs=ATOL)
        assert upper == pytest.approx(expected.loc[area, "expected_upper95"], abs=ATOL)
        assert explicit.loc[area, "value"] == pytest.approx(value, abs=ATOL)
    tiny = inputs[inputs["area"] == "testdata_tiny"]
    res = dsr_mod.dsr(tiny["count"], tiny["pop"], confidence=0.998)
    assert math.isnan(res.value) and res.reason == dsr_mod.COUNT_BELOW_10


@pytest.mark.realdata
def test_real_fingertips_dsr_intervals_have_the_dobson_byar_shape():
    """Real Fingertips rows (indicator 22401, 95% Dobson intervals): for Dobson's method
    (upper - value) / (value - lower) depends only on the total count O through Byar's limits:
    (O_upper - O) / (O - O_lower). Checks our Byar limits against published intervals."""
    rows = pd.read_csv(realdata_path("fingertips_22401_falls65plus_subset.csv"))
    rows = rows.dropna(subset=["Count", "Value", "LowerCI", "UpperCI"])
    assert len(rows) > 1000
    lo, hi = iv.byar(rows["Count"], 0.95)
    expected_ratio = (hi - rows["Count"]) / (rows["Count"] - lo)
    published_ratio = (rows["UpperCI"] - rows["Value"]) / (rows["Value"] - rows["LowerCI"])
    rel = (published_ratio / expected_ratio - 1).abs()
    assert rel.median() < 1e-4
    assert rel.max() < 5e-3
    # the check discriminates: the exact-Poisson shape does not fit small-count rows as well
    small = rows["Count"] < 300
    assert small.sum() > 20
    e_lo, e_hi = iv.exact_poisson(rows["Count"][small], 0.95)
    exact_ratio = (e_hi - rows["Count"][small]) / (rows["Count"][small] - e_lo)
    assert (published_ratio[small] / exact_ratio - 1).abs().median() > rel[small].median()


# --------------------------------------------------------------------------------------------
# Independent implementations: statsmodels and scipy
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("confidence", [0.95, 0.998, 0.9])
def test_wilson_matches_statsmodels(confidence):
    x = np.array([0, 1, 2, 5, 17, 50, 99, 100, 9856, 3])
    n = np.array([10, 100, 3, 5, 40, 100, 100, 100, 12345, 3])
    lo, hi = iv.wilson(x, n, confidence)
    ref_lo, ref_hi = proportion_confint(x, n, alpha=1 - confidence, method="wilson")
    np.testing.assert_allclose(lo, ref_lo, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(hi, ref_hi, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("confidence", [0.95, 0.998])
def test_exact_poisson_matches_scipy_chi2_and_statsmodels(confidence):
    x = np.array([0, 1, 2, 3, 9, 10, 50, 1234])
    lo, hi = iv.exact_poisson(x, confidence)
    alpha = 1 - confidence
    with np.errstate(invalid="ignore"):
        ref_lo = np.where(x == 0, 0.0, stats.chi2.ppf(alpha / 2, 2 * x) / 2)
    ref_hi = stats.chi2.ppf(1 - alpha / 2, 2 * x + 2) / 2
    np.testing.assert_allclose(lo, ref_lo, rtol=1e-10)
    np.testing.assert_allclose(hi, ref_hi, rtol=1e-10)
    g_lo = np.where(x == 0, 0.0, stats.gamma.ppf(alpha / 2, np.maximum(x, 1)))
    np.testing.assert_allclose(lo, g_lo, rtol=1e-10)
    sm_lo, sm_hi = confint_poisson(x, 1, method="exact-c", alpha=alpha)
    np.testing.assert_allclose(lo, sm_lo, rtol=1e-8)
    np.testing.assert_allclose(hi, sm_hi, rtol=1e-8)


def test_byar_approximates_the_exact_interval():
    x = np.array([10, 20, 65, 100, 1000, 100_000])
    b_lo, b_hi = iv.byar(x)
    e_lo, e_hi = iv.exact_poisson(x)
    assert np.all(np.abs(b_lo / e_lo - 1) < 2e-3)
    assert np.all(np.abs(b_hi / e_hi - 1) < 1e-4)
    # and gets closer as the count grows
    assert np.all(np.diff(np.abs(b_lo / e_lo - 1)) < 0)


def test_rate_switches_from_exact_to_byar_at_10():
    est = iv.rate([9, 10], [1000, 1000], multiplier=1000)
    assert list(est.method) == ["exact", "Byar"]
    assert est.lower[0] == pytest.approx(stats.chi2.ppf(0.025, 18) / 2, rel=1e-10)
    z = stats.norm.ppf(0.975)
    byar_lower_10 = 10 * (1 - 1 / 90 - z / (3 * math.sqrt(10))) ** 3
    assert est.lower[1] == pytest.approx(byar_lower_10, rel=1e-10)


def test_z_value_and_percentage_confidence():
    assert iv.z_value(0.95) == pytest.approx(stats.norm.ppf(0.975))
    assert iv.z_value(99.8) == pytest.approx(stats.norm.ppf(0.999))
    assert iv.wilson(5, 100, 95).lower == pytest.approx(iv.wilson(5, 100, 0.95).lower)
    assert math.isnan(iv.z_value(1.5)) and math.isnan(iv.z_value(0))


# --------------------------------------------------------------------------------------------
# Missing and invalid inputs: NaN with a reason, never an exception
# --------------------------------------------------------------------------------------------
def test_wilson_invalid_inputs_give_nan_and_reasons():
    res = iv.wilson([None, 5, 5, 5, -1, 120, "abc", 5],
                    [100, 0, -10, 100, 100, 100, 100, np.nan], [0.95] * 7 + [0.95])
    assert list(res.reason) == [iv.MISSING_INPUT, iv.DENOMINATOR_ZERO, iv.DENOMINATOR_NEGATIVE,
                                "", iv.NEGATIVE_COUNT, iv.NUMERATOR_EXCEEDS_DENOMINATOR,
                                iv.MISSING_INPUT, iv.MISSING_INPUT]
    valid = res.reason == ""
    assert np.isnan(res.lower[~valid]).all() and np.isnan(res.upper[~valid]).all()
    assert np.isfinite(res.lower[valid]).all()


def test_invalid_confidence_is_reported_not_raised():
    res = iv.rate(20, 100, confidence=1.2)
    assert math.isnan(res.value) and res.reason == iv.INVALID_CONFIDENCE
    assert iv.byar(20, -1).reason == iv.INVALID_CONFIDENCE


def test_rate_zero_denominator_and_pandas_na():
    s = pd.Series([5, pd.NA, 20], dtype="Int64")
    res = iv.rate(s, pd.Series([0, 100, 100]))
    assert list(res.reason) == [iv.DENOMINATOR_ZERO, iv.MISSING_INPUT, ""]
    assert res.value.isna().tolist() == [True, True, False]


def test_zero_count_has_zero_lower_limit():
    assert iv.byar(0).lower == 0.0
    assert iv.exact_poisson(0).lower == 0.0
    assert iv.wilson(0, 50).lower == 0.0
    assert iv.wilson(50, 50).upper == 1.0


def test_dsr_population_missing_where_events_recorded():
    counts = [5] * 19
    pops = [1000] * 18 + [None]
    res = dsr_mod.dsr(counts, pops)
    assert math.isnan(res.value) and res.reason == iv.POPULATION_MISSING
    # a band with no events and no population is simply empty
    res = dsr_mod.dsr([0] + [5] * 18, [None] + [1000] * 18)
    assert res.reason == "" and res.value > 0


def test_dsr_frame_wrong_number_of_bands_and_group_order():
    df = pd.DataFrame({"area": ["b"] * 19 + ["a"] * 18,
                       "count": [10] * 37, "population": [1000] * 37})
    out = dsr_mod.dsr_frame(df, by="area")
    assert out["area"].tolist() == ["b", "a"]
    assert out.loc[0, "reason"] == "" and out.loc[0, "value"] == pytest.approx(1000.0)
    assert out.loc[1, "reason"] == dsr_mod.WRONG_BAND_COUNT and math.isnan(out.loc[1, "value"])


# --------------------------------------------------------------------------------------------
# Shapes and types
# --------------------------------------------------------------------------------------------
def test_scalar_in_scalar_out_and_unpacking():
    lo, hi = iv.wilson(5, 100)
    assert isinstance(lo, float) and isinstance(hi, float)
    value, lower, upper = iv.rate(20, 1000)
    assert lower < value < upper
    frame = iv.rate([20, 30], [1000, 1000]).to_frame()
    assert list(frame.columns) == ["value", "lower", "upper", "reason", "method"]
    assert len(frame) == 2


def test_series_keep_their_index():
    idx = pd.Index(["x", "y"], name="area")
    res = iv.wilson(pd.Series([1, 2], index=idx), pd.Series([10, 10], index=idx))
    assert res.lower.index.equals(idx) and res.reason.index.equals(idx)


def test_realdata_helper_fails_under_ci_and_skips_otherwise(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception):
        realdata_path("no-such-file.csv")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        realdata_path("no-such-file.csv")


def test_dsr_mismatched_lengths_are_reported():
    assert dsr_mod.dsr([10] * 19, [100] * 18).reason == dsr_mod.WRONG_BAND_COUNT
    res = dsr_mod.dsr([10] * 5, [100] * 5, [1000, 2000, 3000, 4000])
    assert math.isnan(res.value) and res.reason == dsr_mod.LENGTHS_DIFFER
    # a custom standard population of any length works when the lengths agree
    value, lower, upper = dsr_mod.dsr([10, 20], [1000, 1000], [1, 3], multiplier=1000)
    assert value == pytest.approx((10 / 1000 * 1 + 20 / 1000 * 3) / 4 * 1000)
    assert lower < value < upper
