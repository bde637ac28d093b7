"""The area page, the overview and the director view compare each indicator by its own method
(95%, 99.8%, quintiles, none), name the method beside the judgement, and use no better/worse
words for an indicator without a polarity. Pure view functions first, then the demo's pages."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.views import format as fmt

BETTER_WORSE = ("better", "worse", "best", "worst")


# ---- the words, one kind at a time ----------------------------------------------------------

@pytest.mark.parametrize(("label", "kind", "level", "polarity", "words", "method", "css"), [
    ("worse", "interval", 0.95, "lower is better", "Worse than England", "compared at 95%",
     "cmp-worse"),
    ("similar", "interval", 0.998, "lower is better", "Similar to England",
     "compared at 99.8%", "cmp-similar"),
    ("higher", "interval", 0.998, "no judgement", "Higher than England", "compared at 99.8%",
     "cmp-neutral"),
    ("not compared", "interval", 0.95, "higher is better", "Not compared",
     "its method: 95% interval; nothing to compare", "cmp-none"),
    ("better quintile", "quintiles", None, "higher is better", "Better quintile",
     "quintile 4 of 5", "cmp-better"),
    ("better quintile", "quintiles", None, "lower is better", "Better quintile",
     "quintile 2 of 5", "cmp-better"),
    ("lowest quintile", "quintiles", None, "no judgement", "Lowest quintile",
     "quintile 1 of 5", "cmp-neutral"),
    ("not compared", "quintiles", None, "no judgement", "Not compared",
     "quintiles: too few areas to rank", "cmp-none"),
    ("not compared", "none", None, "higher is better", "Not compared",
     "its method: no comparison", "cmp-none"),
])
def test_badge_names_the_judgement_and_the_method(label, kind, level, polarity, words, method,
                                                  css):
    badge = fmt.comparison_badge(label, "England", kind, level, polarity)
    assert (badge["words"], badge["method"], badge["css"]) == (words, method, css)
    assert badge["symbol"]  # a symbol as well as colour, and the words as well as the symbol


def test_quintile_labels_say_they_are_quintiles_and_without_polarity_never_judge():
    assert fmt.comparison_label("better", "quintiles") == "better quintile"
    assert fmt.comparison_label("better quintile", "quintiles") == "better quintile"
    assert fmt.comparison_label("better", "interval") == "better"
    assert fmt.comparison_label(None, "interval") == "not compared"
    plain = [fmt.comparison_label(q, "quintiles") for q in fmt.QUINTILE_ORDER["no judgement"]]
    for label in plain:
        badge = fmt.comparison_badge(label, "England", "quintiles", None, "no judgement")
        assert not any(w in badge["words"].lower() for w in BETTER_WORSE)
        assert badge["css"] == "cmp-neutral"
    for label in ("higher", "similar", "lower"):
        words = fmt.comparison_badge(label, "England", "interval", 0.998, "no judgement")["words"]
        assert not any(w in words.lower() for w in BETTER_WORSE)


def test_method_names_in_the_csvs():
    assert fmt.method_name("interval", 0.95) == "95% confidence interval"
    assert fmt.method_name("interval", 0.998) == "99.8% confidence interval"
    assert fmt.method_name("quintiles", float("nan")) == "quintiles"
    assert fmt.method_name("none", None) == "not compared"
    df = pd.DataFrame({"value": [1.0], "lower_ci": [0.5], "upper_ci": [1.5],
                       "benchmark_value": [2.0], "comparison": ["middle"],
                       "comparison_method": ["quintiles"], "comparison_level": [None]})
    cols = fmt.indicator_value_columns(df, "95", "england")
    assert cols["compared_with_benchmark"] == ["middle quintile"]
    assert cols["comparison_method"] == ["quintiles"]


# ---- the demo's pages: one indicator of each kind -------------------------------------------

def _rows(app, area: str, benchmark: str = "england", level: str = "95") -> dict:
    from dashboard.views import area as av
    from dashboard.views import area_sections

    with app.app_context():
        year = av.default_year(area)
        table = area_sections.indicators(area, benchmark, level, year)
    return {r["id"]: r for r in table["rows"]}, table


def test_area_page_judges_each_indicator_by_its_own_method(app, wh):
    rows, table = _rows(app, "OLDER", level="95")
    # care-home admissions: 99.8%, though the page shows 95% intervals
    want = wh("select vs_england from mart_area_indicator where indicator_id = 900003 and "
              "area_code = 'OLDER' and is_latest")["vs_england"].iloc[0]
    care = rows[900003]["comparison"]
    assert care["method"] == "compared at 99.8%"
    assert care["words"] == fmt.comparison_badge(want)["words"]
    assert rows[22401]["comparison"]["method"] == "compared at 95%"
    # dementia prevalence: no polarity, so higher/lower, never better/worse
    dementia = rows[247]["comparison"]
    assert dementia["method"] == "compared at 99.8%"
    assert dementia["css"] == "cmp-neutral" and dementia["words"] == "Higher than England"
    assert "by its own method" in table["summary"]


def test_area_page_shows_the_quintile_of_an_indicator_ranked_by_quintiles(app, wh):
    rows, _ = _rows(app, "HEALTH", benchmark="region", level="998")
    active = rows[93014]["comparison"]
    label = wh("select vs_region from mart_area_indicator where indicator_id = 93014 and "
               "is_latest")["vs_region"].iloc[0]
    fifth = fmt.QUINTILE_ORDER["higher is better"].index(label) + 1
    assert active["words"] == f"{label.capitalize()} quintile"
    assert active["method"] == f"quintile {fifth} of 5"
    assert "region" not in active["words"]  # a rank among areas, not a test against a benchmark


def test_area_page_html_names_the_method(client):
    page = client.get("/area/OLDER").get_data(as_text=True)
    assert "(compared at 99.8%)" in page and "(compared at 95%)" in page
    health = client.get("/area/HEALTH").get_data(as_text=True)
    assert " quintile</span>" in health and "of 5)" in health


def test_director_view_names_the_method_and_flags_only_significant_differences(app, wh):
    from dashboard.views import director

    with app.app_context():
        depts = wh("select distinct dept_code from mart_department_indicator "
                   "where indicator_id = 93014")["dept_code"].tolist()
        df = director.indicators(depts[0], "england", "95")
        table = director.alerts_table(depts[0], "england", "95")
    active = df[df["indicator_id"] == 93014].iloc[0]
    assert active["comparison"].endswith(" quintile")
    assert active["method"].startswith("quintile ") and active["method"].endswith(" of 5")
    assert not active["is_worse"]  # a quintile is a rank, never "significantly worse"
    assert set(table["comparison_method"]) <= {"95% confidence interval",
                                               "99.8% confidence interval", "quintiles"}
    assert "quintiles" in set(table["comparison_method"])
    with app.app_context():
        older = director.indicators("ASC", "england", "95")
    assert older.loc[older["indicator_id"] == 900003, "method"].iloc[0] == "compared at 99.8%"
    assert (older["is_worse"] == older["comparison"].eq("worse")).all()


def test_overview_card_names_the_method(app):
    from dashboard import data
    from dashboard.views import overview

    with app.app_context():
        df = data.query("area_overview")
        table = overview.overview_table()
    for row in df.itertuples():
        badge = overview.card(row)["comparison"]
        assert badge["method"].startswith(("compared at", "quintile", "its method"))
    assert "comparison_method" in table.columns
