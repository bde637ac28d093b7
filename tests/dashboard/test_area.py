"""The area and director pages in process: allow-lists on every link, callback input and download,
CSVs equal to the warehouse, state from the query string, and the page view's query time."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from markupsafe import escape

AREA = "OLDER"
SERVICE = "LUNCH"
DEPT = "ASC"
OFF_LIST = ["NOPE", "", "'; drop table spend; --", "2024/25 ", ["OLDER"], {"a": 1}, None, 95]


@pytest.fixture(scope="module")
def area():
    from dashboard.views import area

    return area


@pytest.fixture(scope="module")
def latest(wh) -> str:
    return wh("select max(financial_year) as y from mart_area_year where area_code = $a",
              {"a": AREA})["y"].iloc[0]


def _csv(client, path: str) -> pd.DataFrame:
    r = client.get(path)
    assert r.status_code == 200, (path, r.data[:200])
    assert r.headers["Content-Type"].startswith("text/csv")
    return pd.read_csv(io.BytesIO(r.data), keep_default_na=False, na_values=[""])


# ---- callbacks -------------------------------------------------------------------------

def _area_page(client, **query) -> str:
    """The area page as a reader's browser gets it (server-rendered in internal mode too)."""
    r = client.get(f"/area/{AREA}", query_string=query)
    assert r.status_code == 200, r.data[:300]
    assert b"Traceback" not in r.data
    return r.get_data(as_text=True)


def test_area_page_shows_the_view_the_form_asks_for(client, latest, wh):
    page = _area_page(client, year=latest, terms="real", benchmark="england", level="95")
    real = wh("select cost_per_outcome_real_gbp as v from mart_area_year where area_code = $a "
              "and financial_year = $y", {"a": AREA, "y": latest})["v"].iloc[0]
    headline = page.split('id="area-headline"', 1)[1].split("</p>", 1)[0]
    assert f"£{real:,.0f}" in headline and "real terms" in headline
    # the form carries the view: each control named, the chosen value selected
    assert 'name="terms"' in page and 'value="real" name="terms" form="view-form" checked' in page
    assert "state-note" not in page


@pytest.mark.parametrize(("name", "value"), [
    (name, value)
    for name in ("year", "terms", "benchmark", "level", "service")
    for value in OFF_LIST
    if not (name == "service" and value in ("", None))  # no service is a valid choice
    and value is not None and not isinstance(value, dict)  # not expressible in a URL
])
def test_area_page_replaces_off_list_values_with_a_note(client, latest, name, value):
    values = value if isinstance(value, list) else [value]
    r = client.get(f"/area/{AREA}", query_string=[(name, str(v)) for v in values * 2])
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "Traceback" not in page
    if value == "":
        assert "state-note" not in page  # an empty value is no value: the default
    else:
        assert "state-note" in page and f"The link&#39;s {name}" in page
    assert f'<option value="{latest}" selected>' in page  # the default view


def test_area_page_refuses_a_service_of_another_area(client):
    page = _area_page(client, service="WASTE")
    assert "does not fund this area, so no service is open" in page


def test_unknown_area_is_a_404_listing_the_areas(client, wh):
    r = client.get("/area/NOPE")
    assert r.status_code == 404
    for code in wh("select area_code from investment_area")["area_code"]:
        assert f'href="/area/{code}"' in r.get_data(as_text=True)


def test_area_page_opens_a_service(client, latest, wh):
    page = _area_page(client, year=latest, service=SERVICE)
    top = wh("select supplier_name from mart_supplier_service_year where service_code = $s "
             "and financial_year = $y group by 1 order by sum(spend_gbp) desc limit 1",
             {"s": SERVICE, "y": latest})["supplier_name"].iloc[0]
    suppliers = page.split('id="area-suppliers-slot"', 1)[1]
    assert str(escape(top)) in suppliers


def test_public_site_has_no_dash_routes(public_app):
    client = public_app.test_client()
    for path in ("/_dash-layout", "/_dash-dependencies", "/staff/", "/staff/director",
                 "/_dash-component-suites/plotly/package_data/plotly.min.js"):
        assert client.get(path).status_code == 404, path
    assert client.post("/_dash-update-component", json={}).status_code in (404, 405)
    assert not [r.rule for r in public_app.url_map.iter_rules() if "dash" in r.rule]


# ---- layouts from the query string -----------------------------------------------------

def test_unknown_area_page_says_so(client):
    page = client.get("/area/NOPE").get_data(as_text=True)
    assert "Investment area not found" in page and "NOPE" in page


def test_area_view_reads_the_query_string(app, area):
    from dashboard.views import area_sections

    with app.app_context():
        view, notes = area.view_from_query(AREA, {"year": "2020/21", "terms": "real",
                                                  "benchmark": "region", "level": "998",
                                                  "service": SERVICE})
        assert view == area.View(AREA, "2020/21", "real", "region", "998", SERVICE)
        assert notes == []
        page = area_sections.page(AREA, view._asdict())
    assert "real terms" in page["cost"].title and "99.8% interval" in page["indicators"]["columns"]
    assert page["suppliers"]["blocks"][0].csv == (
        f"/download/service-expense-types.csv?service={SERVICE}&year=2020/21")
    assert page["cost"].figure["data"][-1]["x"][-1] == page["years"][0]  # a figure dict


def test_area_view_ignores_off_list_query_values_with_a_note(app, area, client, latest):
    with app.app_context():
        view, notes = area.view_from_query(AREA, {"year": "1999/00", "terms": ["a", "b"],
                                                  "level": "50", "service": "WASTE"})
    assert view == area.View(AREA, latest)
    assert len(notes) == 4
    page = client.get(f"/area/{AREA}?year=<script>").get_data(as_text=True)
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_headline_states_the_finding(app, area, wh, latest):
    row = wh("select cost_per_outcome_real_gbp as v, cost_per_outcome_real_change_pct as c, "
             "outcome_unit_label as u from mart_area_year where area_code = $a and "
             "financial_year = $y", {"a": AREA, "y": latest}).iloc[0]
    worse = wh("select distinct mi.indicator_name from outcome_link ol join mart_indicator mi "
               "using (indicator_id) where ol.area_code = $a and mi.geo_role = 'borough' and "
               "mi.period = $y and mi.vs_england = 'worse' and "
               "mi.comparison_method = 'interval'", {"a": AREA, "y": latest})
    with app.app_context():
        text = area.headline(area.View(AREA, latest, "real"))
    assert text.startswith(f"Cost per {row['u']} {'rose' if row['c'] > 0 else 'fell'}")
    assert f"£{row['v']:,.0f} in {latest}" in text and "in real terms" in text
    for name in worse["indicator_name"]:
        assert name in text


# ---- downloads equal the warehouse -----------------------------------------------------

@pytest.mark.parametrize("terms", ["cash", "real"])
def test_cost_csv_equals_the_mart(client, wh, terms):
    got = _csv(client, f"/download/area-cost.csv?area={AREA}&terms={terms}")
    sfx = "_real" if terms == "real" else ""
    want = wh(f"select financial_year, cost_per_outcome{sfx}_gbp as v, "
              f"cost_per_outcome{sfx}_lower_gbp as lo, cost_per_outcome{sfx}_upper_gbp as hi "
              "from mart_area_year where area_code = $a order by financial_year", {"a": AREA})
    assert list(got["financial_year"]) == list(want["financial_year"])
    for col, wcol in (("cost_per_outcome_gbp", "v"), ("lower95_gbp", "lo"),
                      ("upper95_gbp", "hi")):
        # an administrative count has no interval: missing on both sides
        assert (got[col].isna() == want[wcol].isna()).all(), col
        assert (got[col] - want[wcol]).abs().fillna(0).max() <= 0.005 + 1e-9, col
    assert got["terms"].str.startswith(terms).all()


def test_administrative_counts_get_no_interval_and_the_page_says_why(wh, app, client):
    kinds = wh("select distinct area_code, outcome_count_kind, "
               "count(cost_per_outcome_lower_gbp) as with_interval from mart_area_year "
               "where outcome_units is not null group by all")
    # every demo outcome unit is an administrative count (people supported, homes, cases)
    assert set(kinds["outcome_count_kind"]) == {"administrative"}
    assert (kinds["with_interval"] == 0).all()
    from queries import runner

    with app.test_request_context(f"/area/{AREA}"):
        rows = runner.run("area_cost_per_outcome", area_code=AREA, terms="cash")
    assert rows["interval_note"].str.startswith("No interval: the outcome is an "
                                                "administrative count").all()
    summary = client.get(f"/area/{AREA}").get_data(as_text=True).split(
        'id="area-cost-summary"', 1)[1].split("</p>", 1)[0]
    assert "No interval: the outcome is an administrative count" in summary


def test_spend_units_csv_equals_the_mart(client, wh):
    got = _csv(client, f"/download/area-spend-units.csv?area={AREA}&terms=real")
    want = wh("select financial_year, allocated_spend_real_gbp as s, outcome_units as u "
              "from mart_area_year where area_code = $a order by financial_year", {"a": AREA})
    assert list(got["financial_year"]) == list(want["financial_year"])
    assert (got["allocated_spend_gbp"] - want["s"]).abs().max() <= 0.005 + 1e-6
    assert (got["outcome_units"] - want["u"]).abs().max() == 0


def test_indicator_csv_equals_the_mart(client, wh, latest):
    got = _csv(client, f"/download/area-indicators.csv?area={AREA}&benchmark=region&level=998"
                       f"&year={latest}")
    want = wh("select mi.indicator_id, mi.value, mi.lower998, mi.upper998, mi.region_value, "
              "mi.vs_region, mi.comparison_method, mi.comparison_level from outcome_link ol "
              "join mart_indicator mi using (indicator_id)"
              " where ol.area_code = $a and mi.geo_role = 'borough' and mi.period = $y",
              {"a": AREA, "y": latest}).set_index("indicator_id")
    assert set(got["indicator_id"]) == set(want.index)
    # the interval at the level asked for; the comparison by the indicator's own method
    assert {"confidence_level", "compared_with_benchmark", "comparison_method"} <= set(got)
    for r in got.itertuples():
        w = want.loc[r.indicator_id]
        assert abs(r.value - w["value"]) <= 0.005 + 1e-9
        assert abs(r.lower_ci - w["lower998"]) <= 0.005 + 1e-9
        assert r.compared_with_benchmark == (w["vs_region"] or "not compared")
        assert r.comparison_method == f"{w['comparison_level'] * 100:g}% confidence interval"
        assert r.confidence_level == "99.8%"
    assert set(got["comparison_method"]) == {"95% confidence interval",
                                             "99.8% confidence interval"}


def test_services_csv_equals_the_mart(client, wh, latest):
    got = _csv(client, f"/download/area-services.csv?area={AREA}&year={latest}")
    want = wh("select service_code, share, allocated_spend_gbp, allocated_budget_gbp, "
              "allocated_outturn_gbp, statutory from mart_area_service_year "
              "where area_code = $a and financial_year = $y", {"a": AREA, "y": latest})
    merged = got.merge(want, on="service_code", suffixes=("", "_wh"))
    assert len(merged) == len(want) == len(got)
    assert (merged["allocated_spend_gbp"] - merged["allocated_spend_gbp_wh"]).abs().max() <= 0.006
    assert (merged["allocation_share_pct"] - merged["share"] * 100).abs().max() <= 0.05
    assert (merged["statutory"] == merged["statutory_wh"].map(
        {True: "statutory", False: "non-statutory"})).all()


def test_supplier_csvs_equal_the_spend_transactions(client, wh, latest):
    got = _csv(client, f"/download/service-suppliers.csv?service={SERVICE}&year={latest}")
    want = wh("select supplier_name, sum(amount_gbp)::double as spend, count(*) as n from spend "
              "where service_code = $s and financial_year = $y group by 1 "
              "order by spend desc, supplier_name limit 10", {"s": SERVICE, "y": latest})
    assert list(got["supplier"]) == list(want["supplier_name"])
    assert (got["spend_gbp"] - want["spend"]).abs().max() <= 0.005
    assert list(got["payments"]) == list(want["n"])
    kinds = _csv(client, f"/download/service-expense-types.csv?service={SERVICE}&year={latest}")
    total = wh("select sum(amount_gbp)::double as t from spend where service_code = $s and "
               "financial_year = $y", {"s": SERVICE, "y": latest})["t"].iloc[0]
    assert abs(kinds["spend_gbp"].sum() - total) < 0.05


@pytest.mark.parametrize("path", [
    "/download/area-cost.csv?area=NOPE&terms=cash",
    "/download/area-cost.csv?area=OLDER&terms=nominal",
    "/download/area-cost.csv?area=OLDER",
    "/download/area-indicators.csv?area=OLDER&benchmark=england&level=90&year=2024/25",
    "/download/area-indicators.csv?area=OLDER&benchmark=wales&level=95&year=2024/25",
    "/download/area-services.csv?area=OLDER&year=1999/00",
    "/download/service-suppliers.csv?service=NOPE&year=2024/25",
    "/download/service-suppliers.csv?service=LUNCH&year=2024-25",
    "/download/director-budget.csv?dept=NHS-ACUTE&year=2024/25",
    "/download/director-indicators.csv?dept=ASC&benchmark=england&level=",
])
def test_downloads_refuse_off_list_values(client, path):
    r = client.get(path)
    assert r.status_code == 400
    assert b"Traceback" not in r.data


# ---- public mode and speed -------------------------------------------------------------

def test_public_mode_serves_no_staff_page_or_data_in_the_same_process(app, public_app):
    internal, public = app.test_client(), public_app.test_client()
    staff_csv = "/download/director-budget.csv?dept=ASC&year=2024/25"
    assert internal.get(staff_csv).status_code == 200  # built first, in this process
    assert public.get(staff_csv).status_code == 404
    assert public.get("/staff/director").status_code == 404
    assert public.get(f"/area/{AREA}").status_code == 200
    assert public.get("/download/area-cost.csv?area=OLDER&terms=cash").status_code == 200
    nav = public.get("/").get_data(as_text=True).split("</nav>", 1)[0]
    assert "/staff/" not in nav and "/staff/" in internal.get("/").get_data(as_text=True)



def test_indicator_rows_carry_each_indicators_history_for_its_trend_line(app, area, latest):
    from dashboard.views import area_sections

    with app.app_context():
        block = area_sections.indicators(AREA, "england", "95", latest)
        history = area.indicator_trend_table(AREA, "england", "95")  # what the CSV serves
    assert block["rows"]
    for row in block["rows"]:
        mine = history[history["indicator_id"] == row["id"]]
        spark = row["spark"]
        assert len(spark["values"]) == len(mine) > 0
        assert [None if v is None else round(v, 2) for v in spark["values"]] == [
            None if v != v else v for v in mine["value"]]  # NaN != NaN: a gap stays a gap
        assert [None if v is None else round(v, 2) for v in spark["benchmark"]] == [
            None if v != v else v for v in mine["benchmark_value"]]


def test_a_kept_table_carries_its_own_views_caption(client, wh):
    years = wh("select financial_year from mart_area_year where area_code = $a "
               "order by 1 desc limit 2", {"a": AREA})["financial_year"].tolist()
    for year in years + years:  # the second time from the tables kept by the worker
        page = client.get(f"/area/{AREA}?year={year}&level=998").get_data(as_text=True)
        table = page.split('id="area-cost-table"', 1)[1].split("</caption>", 1)[0]
        assert f" in {year} (" in table, (year, table[:200])
