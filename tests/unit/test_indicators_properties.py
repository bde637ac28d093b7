"""Property tests (hypothesis) for the indicators package: ordering of limits, nesting of the
99.8% and 95% intervals, narrowing with sample size, and invariance to row order."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators import cost
from indicators import dsr as dsr_mod
from indicators import intervals as iv
from indicators.compare import compare

SETTINGS = settings(max_examples=200, deadline=None)
# builds DataFrames per example, so fewer examples keep the run fast
FRAME_SETTINGS = settings(max_examples=100, deadline=None)

counts = st.integers(min_value=0, max_value=10**7)
proportion_pairs = st.integers(min_value=1, max_value=10**7).flatmap(
    lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n)))
rows_of_pairs = st.lists(proportion_pairs, min_size=1, max_size=20)


def _arrays(pairs):
    x = np.array([p[0] for p in pairs], dtype=float)
    n = np.array([p[1] for p in pairs], dtype=float)
    return x, n


# ----------------------------------------------------------------------- lower <= value <= upper


@SETTINGS
@given(rows_of_pairs, st.sampled_from([0.95, 0.998]))
def test_wilson_limits_bracket_the_proportion(pairs, confidence):
    x, n = _arrays(pairs)
    value, lower, upper = iv.proportion(x, n, confidence=confidence)
    assert np.all(lower >= 0) and np.all(upper <= 1)
    assert np.all(lower <= value + 1e-15) and np.all(value <= upper + 1e-15)


@SETTINGS
@given(st.lists(counts, min_size=1, max_size=20), st.sampled_from([0.95, 0.998]))
def test_count_limits_bracket_the_count(xs, confidence):
    x = np.array(xs, dtype=float)
    for lower, upper in (iv.byar(x, confidence), iv.exact_poisson(x, confidence)):
        ok = ~np.isnan(lower)
        assert np.all(lower[ok] <= x[ok]) and np.all(x <= upper)
        assert np.all(lower[ok] >= 0)


@SETTINGS
@given(st.lists(st.tuples(counts, st.integers(min_value=1, max_value=10**8)), min_size=1,
                max_size=20), st.sampled_from([0.95, 0.998]),
       st.sampled_from([1, 100, 1000, 100_000]))
def test_rate_limits_bracket_the_rate(pairs, confidence, multiplier):
    x, n = _arrays(pairs)
    value, lower, upper = iv.rate(x, n, multiplier=multiplier, confidence=confidence)
    assert np.all(lower <= value * (1 + 1e-12)) and np.all(value <= upper * (1 + 1e-12))


band_rows = st.lists(st.tuples(st.integers(min_value=0, max_value=500),
                               st.integers(min_value=1, max_value=100_000)),
                     min_size=19, max_size=19)


@SETTINGS
@given(band_rows)
def test_dsr_limits_bracket_the_rate_and_nest(bands):
    x, n = _arrays(bands)
    res95 = dsr_mod.dsr(x, n, confidence=0.95)
    res998 = dsr_mod.dsr(x, n, confidence=0.998)
    if x.sum() < 10:
        assert np.isnan(res95.value) and res95.reason == dsr_mod.COUNT_BELOW_10
        return
    assert res95.lower <= res95.value <= res95.upper
    assert res998.lower <= res95.lower and res95.upper <= res998.upper


@SETTINGS
@given(st.lists(st.tuples(st.floats(min_value=0, max_value=1e9),
                          st.integers(min_value=1, max_value=10**6)), min_size=1, max_size=20),
       st.floats(min_value=0.5, max_value=1), st.floats(min_value=1, max_value=2))
def test_cost_limits_bracket_the_cost(rows, lower_share, upper_share):
    spend = np.array([r[0] for r in rows])
    units = np.array([r[1] for r in rows], dtype=float)
    value, lower, upper = cost.cost_per_outcome(spend, units, units * lower_share,
                                                units * upper_share)
    assert np.all(lower <= value * (1 + 1e-12)) and np.all(value <= upper * (1 + 1e-12))


# ---------------------------------------------------------------- 99.8% contains the 95% interval


@SETTINGS
@given(rows_of_pairs)
def test_wilson_998_contains_95(pairs):
    x, n = _arrays(pairs)
    lo95, hi95 = iv.wilson(x, n, 0.95)
    lo998, hi998 = iv.wilson(x, n, 0.998)
    assert np.all(lo998 <= lo95) and np.all(hi95 <= hi998)


@SETTINGS
@given(st.lists(counts, min_size=1, max_size=20))
def test_count_998_contains_95(xs):
    x = np.array(xs, dtype=float)
    for method in (iv.byar, iv.exact_poisson):
        lo95, hi95 = method(x, 0.95)
        lo998, hi998 = method(x, 0.998)
        ok = ~np.isnan(lo998)  # Byar's 99.8% lower limit is missing for a count of 1
        assert np.all(lo998[ok] <= lo95[ok]) and np.all(hi95 <= hi998)
    value, lo95, hi95 = iv.rate(x, 1000.0)
    _, lo998, hi998 = iv.rate(x, 1000.0, confidence=0.998)
    ok = ~np.isnan(lo998)
    assert np.all(lo998[ok] <= lo95[ok]) and np.all(hi95 <= hi998)


# ---------------------------------------------------- intervals narrow as the denominator grows


@SETTINGS
@given(proportion_pairs.filter(lambda p: p[1] <= 10**6), st.integers(min_value=2, max_value=50),
       st.sampled_from([0.95, 0.998]))
def test_wilson_narrows_with_more_data_at_the_same_proportion(pair, k, confidence):
    x, n = pair
    lo1, hi1 = iv.wilson(x, n, confidence)
    lok, hik = iv.wilson(k * x, k * n, confidence)
    assert hik - lok < hi1 - lo1


@SETTINGS
@given(st.integers(min_value=1, max_value=10**6), st.integers(min_value=1, max_value=10**6),
       st.integers(min_value=2, max_value=50), st.sampled_from([0.95, 0.998]))
def test_rate_narrows_with_more_data_at_the_same_rate(x, n, k, confidence):
    v1, lo1, hi1 = iv.rate(x, n, confidence=confidence)
    vk, lok, hik = iv.rate(k * x, k * n, confidence=confidence)
    assert np.isclose(v1, vk)
    if np.isnan(lo1):  # Byar's undefined lower limit: compare upper halves only
        assert hik - vk < hi1 - v1
    else:
        assert hik - lok < hi1 - lo1


# ------------------------------------------------------------- invariance to the order of rows


@SETTINGS
@given(rows_of_pairs, st.randoms(use_true_random=False))
def test_permuting_rows_permutes_outputs(pairs, rnd):
    x, n = _arrays(pairs)
    perm = np.arange(len(x))
    rnd.shuffle(perm)
    for fn in (iv.wilson, iv.rate, lambda a, b: iv.byar(a), cost.cost_per_outcome):
        whole = fn(x, n)
        permuted = fn(x[perm], n[perm])
        for field in ("lower", "upper", "reason"):
            np.testing.assert_array_equal(getattr(permuted, field),
                                          getattr(whole, field)[perm])


@SETTINGS
@given(st.lists(st.tuples(st.floats(-1e6, 1e6), st.floats(0, 1e3), st.floats(0, 1e3),
                          st.floats(-1e6, 1e6),
                          st.sampled_from(["High is good", "Low is good", "No judgement"])),
                min_size=1, max_size=20),
       st.randoms(use_true_random=False))
def test_compare_is_row_wise(rows, rnd):
    df = pd.DataFrame(rows, columns=["value", "below", "above", "benchmark", "polarity"])
    df["lower"] = df["value"] - df["below"]
    df["upper"] = df["value"] + df["above"]
    got = compare(df["value"], df["lower"], df["upper"], df["benchmark"], df["polarity"])
    perm = list(range(len(df)))
    rnd.shuffle(perm)
    shuffled = df.iloc[perm]
    again = compare(shuffled["value"], shuffled["lower"], shuffled["upper"],
                    shuffled["benchmark"], shuffled["polarity"])
    assert again.equals(got.iloc[perm])
    # swapping the polarity swaps better and worse, and nothing else
    flipped = compare(df["value"], df["lower"], df["upper"], df["benchmark"],
                      df["polarity"].map({"High is good": "Low is good",
                                          "Low is good": "High is good",
                                          "No judgement": "No judgement"}))
    swap = {"better": "worse", "worse": "better"}
    assert flipped.tolist() == [swap.get(label, label) for label in got]


@FRAME_SETTINGS
@given(st.lists(band_rows, min_size=1, max_size=5), st.randoms(use_true_random=False))
def test_dsr_frame_group_order_does_not_matter(groups, rnd):
    bands = np.array(groups, dtype=float)  # groups x 19 x (count, population)
    areas = [f"area{i}" for i in range(len(groups))]

    def frame(order):
        return pd.DataFrame({"area": np.repeat(np.array(areas)[order], 19),
                             "count": bands[order, :, 0].ravel(),
                             "population": bands[order, :, 1].ravel()})

    whole = dsr_mod.dsr_frame(frame(list(range(len(areas)))), by="area").set_index("area")
    order = list(range(len(areas)))
    rnd.shuffle(order)
    shuffled = dsr_mod.dsr_frame(frame(order), by="area").set_index("area")
    pd.testing.assert_frame_equal(shuffled.loc[whole.index], whole)
    single = dsr_mod.dsr(bands[0, :, 0], bands[0, :, 1])
    np.testing.assert_allclose([single.value, single.lower, single.upper],
                               whole.loc["area0", ["value", "lower", "upper"]].to_numpy(
                                   dtype=float), rtol=1e-12, equal_nan=True)


# every financial year the shipped deflator series covers
DEFLATOR_YEARS = cost.deflator_table()["financial_year"].tolist()


@SETTINGS
@given(st.lists(st.tuples(st.floats(0, 1e9), st.sampled_from(
    DEFLATOR_YEARS)), min_size=1, max_size=20),
    st.sampled_from(DEFLATOR_YEARS),
    st.sampled_from(DEFLATOR_YEARS))
def test_real_terms_rebasing_is_transitive(rows, base_a, base_b):
    amounts = np.array([r[0] for r in rows])
    years = [r[1] for r in rows]
    direct = cost.to_real_terms(amounts, years, base_year=base_b).value
    via_a = cost.to_real_terms(amounts, years, base_year=base_a).value
    via_a_then_b = cost.to_real_terms(via_a, [base_a] * len(rows), base_year=base_b).value
    np.testing.assert_allclose(via_a_then_b, direct, rtol=1e-12, atol=1e-9)
