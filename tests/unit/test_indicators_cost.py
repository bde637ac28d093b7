"""indicators.cost: cost per outcome with a carried-through interval, real terms with the HM
Treasury GDP deflator, year-on-year change by financial year."""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd
import pytest

from indicators import cost
from indicators.intervals import byar

# ------------------------------------------------------------------------- cost per outcome


def test_cost_per_outcome_carries_the_interval_through():
    value, lower, upper = cost.cost_per_outcome(1_000_000, 200, 160, 250)
    assert value == pytest.approx(5000.0)
    assert lower == pytest.approx(4000.0)  # spend / upper count
    assert upper == pytest.approx(6250.0)  # spend / lower count


def test_cost_per_outcome_with_a_byar_interval_on_the_count():
    count = np.array([65, 1045])
    lo, hi = byar(count)
    res = cost.cost_per_outcome([130_000, 2_090_000], count, lo, hi)
    np.testing.assert_allclose(res.value, [2000.0, 2000.0])
    np.testing.assert_allclose(res.lower, [130_000 / hi[0], 2_090_000 / hi[1]])
    np.testing.assert_allclose(res.upper, [130_000 / lo[0], 2_090_000 / lo[1]])
    # more events -> a narrower cost interval for the same unit cost
    assert (res.upper[1] - res.lower[1]) < (res.upper[0] - res.lower[0])


def test_cost_per_outcome_without_interval():
    res = cost.cost_per_outcome(pd.Series([500.0, 600.0]), pd.Series([5, 6]))
    assert res.value.tolist() == [100.0, 100.0]
    assert res.lower.isna().all() and res.upper.isna().all()
    assert (res.reason == "").all()


def test_cost_per_outcome_invalid_inputs():
    res = cost.cost_per_outcome([None, -5, 100, 100, 100, 100],
                                [10, 10, 0, -1, 10, 10],
                                [5, 5, 0, 0, 12, 0],
                                [20, 20, 2, 2, 20, 20])
    assert list(res.reason) == [cost.MISSING_INPUT, cost.NEGATIVE_SPEND, cost.OUTCOME_ZERO,
                                cost.OUTCOME_NEGATIVE, cost.INTERVAL_EXCLUDES_VALUE,
                                cost.LOWER_OUTCOME_ZERO]
    assert np.isnan(res.value[:5]).all()
    # a zero lower count leaves the cost unbounded above, but value and lower still exist
    assert res.value[5] == 10.0 and res.lower[5] == 5.0 and math.isnan(res.upper[5])


# ---------------------------------------------------------------------------- financial years


@pytest.mark.parametrize("label,expected", [
    ("2023/24", "2023/24"),
    ("2023-24", "2023/24"),
    ("2023-2024", "2023/24"),
    ("FY2023/24", "2023/24"),
    (" 1999/00 ", "1999/00"),
    ("2023/25", None),
    ("2023", None),
    (2023, None),
    (None, None),
])
def test_financial_year(label, expected):
    assert cost.financial_year(label) == expected


# ------------------------------------------------------------------------------- deflators


def test_deflator_table_covers_2010_11_to_2024_25_and_states_its_base():
    table = cost.deflator_table()
    expected_years = [f"{y}/{(y + 1) % 100:02d}" for y in range(2010, 2025)]
    assert table["financial_year"].tolist() == expected_years
    assert (table["gdp_deflator"] > 0).all()
    assert set(table["status"]) == {"outturn"}
    assert cost.default_base_year() == "2024/25"
    assert table.attrs["base_year"] == "2024/25"
    assert table.loc[table["financial_year"] == "2024/25", "index"].item() == pytest.approx(100)
    published = cost.deflator_table(None)
    assert published.attrs["base_year"] == cost.PUBLISHED_REFERENCE
    source = cost.deflator_source()
    assert "YBGB" in source and "30 June 2025" in source and "2022 = 100" in source
    # UK prices rose between 2010/11 and 2024/25 by well over a quarter (GDP deflator)
    factor = table.loc[table["financial_year"] == "2010/11", "to_base_factor"].item()
    assert 1.25 < factor < 1.7


# ONS YBGB as released on 30 June 2025 (2022 = 100): published quarterly and calendar-year
# values, read from the release, against the shipped file.
PUBLISHED_QUARTERS = {"2015 Q1": 83.4, "2020 Q2": 98.8, "2022 Q3": 100.7, "2024 Q4": 113.2,
                      "2025 Q1": 114.1}
PUBLISHED_CALENDAR_YEARS = {2010: 77.3, 2016: 85.2, 2019: 90.3, 2022: 100.0, 2023: 106.9,
                            2024: 111.2}


def _shipped_quarters() -> pd.DataFrame:
    from importlib import resources

    text = resources.files("indicators").joinpath("data", "gdp_deflators.csv").read_text()
    return pd.read_csv(io.StringIO(text), comment="#", dtype={"quarter": str})


def test_shipped_series_matches_published_ybgb_values():
    quarters = _shipped_quarters().set_index("quarter")["ybgb"]
    for quarter, value in PUBLISHED_QUARTERS.items():
        assert quarters[quarter] == pytest.approx(value), quarter
    # each published calendar-year value is the mean of its four published quarters, to the
    # release's one decimal place: a mistyped quarter shows here
    for year, value in PUBLISHED_CALENDAR_YEARS.items():
        mean = quarters[[f"{year} Q{q}" for q in range(1, 5)]].mean()
        assert abs(mean - value) <= 0.05 + 1e-9, (year, mean, value)


def test_financial_year_is_the_mean_of_april_to_march_quarters():
    # hand-worked: 2022/23 = (2022 Q2 + Q3 + Q4 + 2023 Q1) / 4 = (99.1 + 100.7 + 103.2 + 105.0) / 4
    table = cost.deflator_table(None).set_index("financial_year")["gdp_deflator"]
    assert table["2022/23"] == pytest.approx((99.1 + 100.7 + 103.2 + 105.0) / 4)
    assert table["2024/25"] == pytest.approx((110.1 + 112.1 + 113.2 + 114.1) / 4)
    # a year without all four quarters is left out, never extrapolated
    partial = pd.DataFrame({"quarter": ["2030 Q2", "2030 Q3", "2030 Q4"], "ybgb": [1, 2, 3]})
    assert cost.financial_year_means(partial).empty
    with pytest.raises(ValueError, match="YYYY Qn"):
        cost.financial_year_means(pd.DataFrame({"quarter": ["2030-Q2"], "ybgb": [1]}))


def test_to_real_terms_in_base_year_is_unchanged_and_earlier_years_grow():
    res = cost.to_real_terms([100.0, 100.0], ["2024/25", "2015-16"])
    assert res.base_year == "2024/25"
    assert res.value[0] == pytest.approx(100.0)
    assert res.value[1] > 100.0
    table = cost.deflator_table(None).set_index("financial_year")["gdp_deflator"]
    assert res.value[1] == pytest.approx(100 * table["2024/25"] / table["2015/16"])


def test_to_real_terms_other_base_and_custom_table():
    res = cost.to_real_terms(pd.Series([50.0], index=["x"]), pd.Series(["2020/21"], index=["x"]),
                             base_year="2020/21")
    assert res.value.loc["x"] == pytest.approx(50.0)
    custom = pd.DataFrame({"financial_year": ["2000/01", "2001/02"], "gdp_deflator": [50, 100]})
    res = cost.to_real_terms([10.0], ["2000/01"], base_year="2001/02", deflators=custom)
    assert res.value[0] == pytest.approx(20.0)


def test_to_real_terms_reasons():
    res = cost.to_real_terms([1.0, None, 1.0, 1.0], ["2020/21", "2020/21", "1990/91", "20/21"])
    assert list(res.reason) == ["", cost.MISSING_INPUT, cost.NO_DEFLATOR, cost.UNKNOWN_YEAR]
    assert np.isnan(res.value[1:]).all()
    res = cost.to_real_terms([1.0], ["2020/21"], base_year="1990/91")
    assert res.reason[0] == cost.NO_BASE_DEFLATOR


# ----------------------------------------------------------------------------- year on year


def test_year_on_year_by_financial_year_in_any_order():
    amounts = pd.Series([110.0, 100.0, 99.0, 120.0], index=list("abcd"))
    years = ["2021/22", "2020/21", "2022-23", "2024/25"]
    out = cost.year_on_year(amounts, years)
    assert out.index.tolist() == list("abcd")
    assert out["financial_year"].tolist() == ["2021/22", "2020/21", "2022/23", "2024/25"]
    assert out.loc["a", "change"] == pytest.approx(10.0)
    assert out.loc["a", "pct_change"] == pytest.approx(10.0)
    assert out.loc["c", "change"] == pytest.approx(-11.0)
    assert out.loc["c", "pct_change"] == pytest.approx(-10.0)
    assert out.loc["b", "reason"] == cost.NO_PREVIOUS_YEAR  # first year
    assert out.loc["d", "reason"] == cost.NO_PREVIOUS_YEAR  # 2023/24 is missing: a gap
    assert math.isnan(out.loc["d", "change"])


def test_year_on_year_edge_cases():
    out = cost.year_on_year([0.0, 5.0, 7.0, 8.0, None, 3.0],
                            ["2019/20", "2020/21", "2021/22", "2021/22", "2022/23", "junk"])
    assert out["reason"].tolist() == ["no figure for the previous financial year",
                                      "previous year is zero", "duplicate financial year",
                                      "duplicate financial year", "missing input",
                                      "unrecognised financial year"]
    assert out.loc[1, "change"] == 5.0 and math.isnan(out.loc[1, "pct_change"])
    # a negative previous amount: the percentage is relative to its size
    neg = cost.year_on_year([-100.0, -50.0], ["2020/21", "2021/22"])
    assert neg.loc[1, "pct_change"] == pytest.approx(50.0)
