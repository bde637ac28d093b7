"""indicators.compare: the Fingertips "confidence interval overlaps the benchmark" comparison,
checked against its definition, Fingertips metadata spellings and real published flags."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from indicators import intervals as iv
from indicators.compare import (
    HIGHER_IS_BETTER,
    LOWER_IS_BETTER,
    NO_JUDGEMENT,
    compare,
    normalise_polarity,
)
from tests.realdata import realdata_path

# value, lower, upper, benchmark -> direction, by the Fingertips definition
DEFINITION = [
    (12.0, 11.0, 13.0, 10.0, "higher"),  # interval wholly above
    (8.0, 7.0, 9.0, 10.0, "lower"),  # interval wholly below
    (10.5, 9.0, 12.0, 10.0, "similar"),  # benchmark inside
    (11.0, 10.0, 12.0, 10.0, "similar"),  # benchmark on the lower limit counts as overlapping
    (9.0, 8.0, 10.0, 10.0, "similar"),  # ... and on the upper limit
]
POLARITY_MAP = {
    HIGHER_IS_BETTER: {"higher": "better", "lower": "worse", "similar": "similar"},
    LOWER_IS_BETTER: {"higher": "worse", "lower": "better", "similar": "similar"},
    NO_JUDGEMENT: {"higher": "higher", "lower": "lower", "similar": "similar"},
}


@pytest.mark.parametrize("polarity", [HIGHER_IS_BETTER, LOWER_IS_BETTER, NO_JUDGEMENT])
@pytest.mark.parametrize("value,lower,upper,benchmark,direction", DEFINITION)
def test_definition(value, lower, upper, benchmark, direction, polarity):
    assert compare(value, lower, upper, benchmark, polarity) == POLARITY_MAP[polarity][direction]


def test_vectorised_with_a_polarity_per_row():
    rows = pd.DataFrame(DEFINITION, columns=["value", "lower", "upper", "benchmark", "dir"])
    pols = pd.Series([HIGHER_IS_BETTER, "Low is good", "RAG - High is good", NO_JUDGEMENT,
                      "No judgement"])
    got = compare(rows["value"], rows["lower"], rows["upper"], rows["benchmark"], pols)
    assert isinstance(got, pd.Series)
    assert got.tolist() == ["better", "better", "similar", "similar", "similar"]


@pytest.mark.parametrize("spelling,expected", [
    ("higher is better", HIGHER_IS_BETTER),
    ("High is good", HIGHER_IS_BETTER),
    ("RAG - High is good", HIGHER_IS_BETTER),
    ("RAG-High is good ", HIGHER_IS_BETTER),
    ("lower is better", LOWER_IS_BETTER),
    ("Low is good", LOWER_IS_BETTER),
    ("RAG - Low is good", LOWER_IS_BETTER),
    ("No judgement", NO_JUDGEMENT),
    ("BOB - Blue orange blue", NO_JUDGEMENT),
    ("Not applicable", NO_JUDGEMENT),
    ("", NO_JUDGEMENT),
    (None, NO_JUDGEMENT),
    (float("nan"), NO_JUDGEMENT),
    ("sideways is good", None),
])
def test_polarity_spellings(spelling, expected):
    assert normalise_polarity(spelling) == expected


def test_not_compared_with_reasons():
    got = compare([10, np.nan, 10, 10, 10, 10], [9, 9, np.nan, 9, 11, 9],
                  [11, 11, 11, 11, 9, 11], [5, 5, 5, np.nan, 5, 5],
                  ["High is good"] * 5 + ["upside down"], with_reason=True)
    assert got["comparison"].tolist() == ["better"] + ["not compared"] * 5
    assert got["reason"].tolist() == ["", "missing input", "no confidence interval",
                                      "missing benchmark", "lower limit above upper limit",
                                      "unrecognised polarity"]


def test_99_8_interval_is_more_conservative_than_95():
    # 125 events in 1,000 against a benchmark of 10%: p = 0.125, SE ~ 0.0105, so the normal
    # approximation puts the 95% lower limit near 0.104 (above 10%) and the 99.8% one near
    # 0.093 (below): different at 95%, not at 99.8%
    v95 = iv.proportion(125, 1000, confidence=0.95)
    v998 = iv.proportion(125, 1000, confidence=0.998)
    assert compare(v95.value, v95.lower, v95.upper, 0.10, "Low is good") == "worse"
    assert compare(v998.value, v998.lower, v998.upper, 0.10, "Low is good") == "similar"


@pytest.mark.realdata
def test_every_fingertips_metadata_polarity_is_recognised():
    meta = pd.read_csv(realdata_path("fingertipsnext_indicators_metadata.csv"),
                       encoding="utf-8-sig", keep_default_na=False)
    assert len(meta) > 30
    pols = normalise_polarity(meta["Polarity"])
    assert pols.notna().all(), meta.loc[pols.isna(), "Polarity"].unique()
    assert set(pols) == {HIGHER_IS_BETTER, LOWER_IS_BETTER, NO_JUDGEMENT}
    falls = meta.loc[meta["IndicatorID"] == 22401, "Polarity"].iloc[0]
    assert normalise_polarity(falls) == LOWER_IS_BETTER


@pytest.mark.realdata
def test_trafford_flags_agree_in_direction():
    """The Trafford file has rounded DSRs and Fingertips' better/similar/worse flag against
    England but no intervals, so the intervals cannot be rebuilt. What can be checked honestly:
    every "Better"/"Worse" flag must point the same way as our comparison of the values
    (a zero-width interval gives the direction only), and rows with no value or England itself
    are "not compared". "Similar" rows cannot be checked without intervals."""
    data = pd.read_csv(realdata_path("trafford_dashboard_admissions_falls_all_LAs.csv"))
    meta = pd.read_csv(realdata_path("fingertipsnext_indicators_metadata.csv"),
                       encoding="utf-8-sig", keep_default_na=False)
    polarity = meta.loc[meta["IndicatorID"] == 22401, "Polarity"].iloc[0]
    england = data[data["area_code"] == "E92000001"].set_index("period")["value"]
    data = data.assign(england=data["period"].map(england))
    got = compare(data["value"], data["value"], data["value"], data["england"], polarity)
    flagged = data["significance"].isin(["Better", "Worse"])
    assert flagged.sum() > 1500
    assert (got[flagged].str.capitalize() == data.loc[flagged, "significance"]).all()
    no_value = data["value"].isna()
    assert no_value.sum() > 0
    assert (got[no_value] == "not compared").all()
    assert (data.loc[no_value, "significance"] == "Not compared").all()


@pytest.mark.realdata
def test_fingertips_rows_compared_with_england():
    """Real 95% intervals (indicator 22401) compared with England for the same year and sex."""
    rows = pd.read_csv(realdata_path("fingertips_22401_falls65plus_subset.csv"))
    rows = rows[rows["Category"].isna()]
    eng = rows[rows["AreaCode"] == "E92000001"].set_index(["Year", "Sex"])["Value"]
    rows = rows.join(eng.rename("England"), on=["Year", "Sex"])
    got = compare(rows["Value"], rows["LowerCI"], rows["UpperCI"], rows["England"],
                  "Low is good", with_reason=True)
    # England's own interval contains its value, so England is similar to itself
    assert (got.loc[rows["AreaCode"] == "E92000001", "comparison"] == "similar").all()
    missing = rows["LowerCI"].isna()
    assert (got.loc[missing, "comparison"] == "not compared").all()
    assert (got.loc[missing, "reason"] != "").all()
    # the published intervals order correctly, so "better" rows sit below England, "worse" above
    better = got["comparison"] == "better"
    worse = got["comparison"] == "worse"
    assert better.sum() > 0 and worse.sum() > 0
    assert (rows.loc[better, "Value"] < rows.loc[better, "England"]).all()
    assert (rows.loc[worse, "Value"] > rows.loc[worse, "England"]).all()
    # and the 95% comparison is the same whichever way round the rows come
    shuffled = rows.sample(frac=1, random_state=1)
    again = compare(shuffled["Value"], shuffled["LowerCI"], shuffled["UpperCI"],
                    shuffled["England"], "Low is good")
    assert again.reindex(got.index).equals(got["comparison"].rename("comparison"))


# ---- each indicator's own comparison method -------------------------------------------------

@pytest.mark.realdata
def test_every_method_in_the_fingertips_metadata_is_read():
    from indicators.compare import comparison_method

    meta = pd.read_csv(realdata_path("fingertipsnext_indicators_metadata.csv"),
                       encoding="utf-8-sig")
    methods = meta["BenchmarkComparisonMethod"].map(comparison_method)
    kinds = {(m.kind, m.level) for m in methods}
    assert kinds == {("interval", 0.95), ("interval", 0.998), ("quintiles", None),
                     ("none", None)}
    by_id = dict(zip(meta["IndicatorID"], methods, strict=True))
    assert by_id[247] == ("interval", 0.998) and by_id[383] == ("quintiles", None)


def test_method_level_changes_the_verdict_and_unknown_methods_are_refused():
    from indicators.compare import compare_by_method, comparison_method

    m95 = comparison_method("Confidence intervals overlapping reference value (95.0)")
    m998 = comparison_method("Confidence intervals overlapping reference value (99.8)")
    # value 12, 95% interval 10.5-13.5 excludes 10; 99.8% interval 9.5-14.5 does not
    args = (12.0, 10.5, 13.5, 9.5, 14.5, 10.0, "High is good")
    assert compare_by_method(m95, *args) == "better"
    assert compare_by_method(m998, *args) == "similar"
    assert comparison_method(None) == m95  # the Fingertips default
    none = comparison_method("No comparison")
    assert list(compare_by_method(none, [1.0, 2.0], *[[0.0, 0.0]] * 4, [1.0, 1.0])) == [
        "not compared", "not compared"]
    with pytest.raises(ValueError, match="Tertiles"):
        comparison_method("Tertiles")


def test_quintiles_by_hand_with_and_without_polarity():
    from indicators.compare import quintiles

    values = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, np.nan]
    # 10 areas: ranks 1-2 -> fifth 1, 3-4 -> 2, ... 9-10 -> 5; missing -> not compared
    plain = quintiles(values).tolist()
    assert plain == ["lowest"] * 2 + ["low"] * 2 + ["middle"] * 2 + ["high"] * 2 + [
        "highest"] * 2 + ["not compared"]
    low_good = quintiles(values, "Low is good").tolist()
    assert low_good[0] == "best" and low_good[9] == "worst"
    assert quintiles(values, "High is good").tolist()[9] == "best"
    # no judgement: never better or worse words
    assert not {"better", "worse", "best", "worst"} & set(quintiles(values, "No judgement"))
