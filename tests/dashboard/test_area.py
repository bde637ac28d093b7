"""The area and director pages in process: allow-lists on every link, callback input and download,
CSVs equal to the warehouse, state from the query string, and the page view's query time."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pandas as pd
import pytest
from markupsafe import escape

AREA = "OLDER"
SERVICE = "LUNCH"
DEPT = "ASC"
OFF_LIST = ["NOPE", "", "'; drop table spend; --", "2024/25 ", ["OLDER"], {"a": 1}, None, 95]


@pytest.fixture(scope="module")
def pages(dash_app):
    # Dash runs the page modules itself (as pages.<name>); importing them again would
    # register their callbacks twice
    dash_app.server.test_client().get("/")  # Dash collects the callbacks on its first request
    return sys.modules["pages.area"], sys.modules["pages.director"]


@pytest.fixture(scope="module")
def latest(wh) -> str:
    return wh("select max(financial_year) as y from mart_area_year where area_code = $a",
              {"a": AREA})["y"].iloc[0]


def _callback_key(app, output_id: str) -> str:
    keys = [k for k in app.callback_map if f"{output_id}." in k]
    assert len(keys) == 1, keys
    return keys[0]


def _post_callback(client, app, output_id: str, inputs: dict, state: dict, changed: str):
    """POST a callback request as the browser does; returns the response."""
    key = _callback_key(app, output_id)
    spec = app.callback_map[key]
    outputs = [{"id": o.split(".")[0], "property": o.split(".")[1]}
               for o in key.strip(".").split("...")]
    body = {
        "output": key,
        "outputs": outputs,
        "inputs": [{"id": i["id"], "property": i["property"], "value": inputs[i["id"]]}
                   for i in spec["inputs"]],
        "state": [{"id": s["id"], "property": s["property"], "value": state[s["id"]]}
                  for s in spec["state"]],
        "changedPropIds": [f"{changed}.value"],
    }
    return client.post("/_dash-update-component", data=json.dumps(body),
                       content_type="application/json")


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


def test_area_page_has_no_dash_callback(dash_app, pages):
    assert not [k for k in dash_app.callback_map if "area-" in k]


def _director_inputs(director, latest, **override) -> dict:
    inputs = {director.DEPT: DEPT, director.YEAR: latest, director.BENCHMARK: "england",
              director.LEVEL: "95"}
    inputs.update(override)
    return inputs


def test_director_callback_answers_a_valid_change(client, dash_app, pages, latest):
    _, director = pages
    inputs = _director_inputs(director, latest, **{director.DEPT: "PH"})
    r = _post_callback(client, dash_app, director.URL, inputs, {}, director.DEPT)
    assert r.status_code == 200
    out = r.get_json()["response"]
    assert "dept=PH" in out[director.URL]["search"]
    assert "Public Health" in json.dumps(out[director.CONTENT])


@pytest.mark.parametrize("control", ["DEPT", "YEAR", "BENCHMARK", "LEVEL"])
@pytest.mark.parametrize("value", OFF_LIST)
def test_director_callback_rejects_off_list_values(client, dash_app, pages, latest, control,
                                                   value):
    _, director = pages
    cid = getattr(director, control)
    inputs = _director_inputs(director, latest, **{cid: value})
    r = _post_callback(client, dash_app, director.URL, inputs, {}, cid)
    assert r.status_code == 204, r.data[:300]


# ---- layouts from the query string -----------------------------------------------------

def test_unknown_area_lists_the_areas(dash_app, pages, wh):
    area, _ = pages
    with dash_app.server.app_context():
        page = str(area.layout(area_code="NOPE"))
    assert "Investment area not found" in page and "NOPE" in page
    for code in wh("select area_code from investment_area")["area_code"]:
        assert f"/area/{code}" in page


def test_area_layout_reads_the_query_string(dash_app, pages):
    area, _ = pages
    with dash_app.server.app_context():
        view, notes = area.view_from_query(AREA, {"year": "2020/21", "terms": "real",
                                                  "benchmark": "region", "level": "998",
                                                  "service": SERVICE})
        assert view == area.View(AREA, "2020/21", "real", "region", "998", SERVICE)
        assert notes == []
        page = str(area.layout(area_code=AREA, **view._asdict()))
        assert "real terms" in page and "99.8%" in page


def test_area_layout_ignores_off_list_query_values_with_a_note(dash_app, pages, latest):
    area, _ = pages
    with dash_app.server.app_context():
        view, notes = area.view_from_query(AREA, {"year": "1999/00", "terms": ["a", "b"],
                                                  "level": "50", "service": "WASTE"})
        assert view == area.View(AREA, latest)
        assert len(notes) == 4
        page = str(area.layout(area_code=AREA, year="<script>"))
    assert "<script>" not in page.replace("“<script>”", "")


def test_director_layout_reads_the_query_string(dash_app, pages):
    _, director = pages
    with dash_app.server.app_context():
        view, notes = director.view_from_query({"dept": "ENV", "year": "2022/23",
                                                "benchmark": "region", "level": "998"})
        assert view == director.View("ENV", "2022/23", "region", "998") and notes == []
        view, notes = director.view_from_query({"dept": "NHS-ACUTE"})  # not a council dept
        assert view.dept != "NHS-ACUTE" and len(notes) == 1


def test_headline_states_the_finding(dash_app, pages, wh, latest):
    area, _ = pages
    row = wh("select cost_per_outcome_real_gbp as v, cost_per_outcome_real_change_pct as c, "
             "outcome_unit_label as u from mart_area_year where area_code = $a and "
             "financial_year = $y", {"a": AREA, "y": latest}).iloc[0]
    worse = wh("select distinct mi.indicator_name from outcome_link ol join mart_indicator mi "
               "using (indicator_id) where ol.area_code = $a and mi.geo_role = 'borough' and "
               "mi.period = $y and mi.vs_england_95 = 'worse'", {"a": AREA, "y": latest})
    with dash_app.server.app_context():
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


def test_administrative_counts_get_no_interval_and_the_page_says_why(wh, dash_app):
    kinds = wh("select distinct area_code, outcome_count_kind, "
               "count(cost_per_outcome_lower_gbp) as with_interval from mart_area_year "
               "where outcome_units is not null group by all")
    # every demo outcome unit is an administrative count (people supported, homes, cases)
    assert set(kinds["outcome_count_kind"]) == {"administrative"}
    assert (kinds["with_interval"] == 0).all()
    from queries import runner

    with dash_app.server.test_request_context(f"/area/{AREA}"):
        rows = runner.run("area_cost_per_outcome", area_code=AREA, terms="cash")
    assert rows["interval_note"].str.startswith("No interval: the outcome is an "
                                                "administrative count").all()


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
              "mi.vs_region_998 from outcome_link ol join mart_indicator mi using (indicator_id)"
              " where ol.area_code = $a and mi.geo_role = 'borough' and mi.period = $y",
              {"a": AREA, "y": latest}).set_index("indicator_id")
    assert set(got["indicator_id"]) == set(want.index)
    for r in got.itertuples():
        w = want.loc[r.indicator_id]
        assert abs(r.value - w["value"]) <= 0.005 + 1e-9
        assert abs(r.lower_ci - w["lower998"]) <= 0.005 + 1e-9
        assert r.compared_with_benchmark == (w["vs_region_998"] or "not compared")
        assert r.confidence_level == "99.8%"


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


def test_director_csvs_equal_the_marts(client, wh, latest):
    got = _csv(client, f"/download/director-budget.csv?dept={DEPT}&year={latest}")
    want = wh("select service_code, budget_gbp, outturn_gbp from mart_spend_service_year "
              "where dept_code = $d and financial_year = $y", {"d": DEPT, "y": latest})
    merged = got.merge(want, on="service_code", suffixes=("", "_wh"))
    assert len(merged) == len(want)
    assert (merged["budget_gbp"] - merged["budget_gbp_wh"]).abs().max() <= 0.005
    services = _csv(client, f"/download/director-services.csv?dept={DEPT}&year={latest}")
    want = wh("select count(*) as n, sum(allocated_spend_gbp) as s from mart_area_service_year "
              "where dept_code = $d and financial_year = $y", {"d": DEPT, "y": latest}).iloc[0]
    assert len(services) == want["n"]
    assert abs(services["allocated_spend_gbp"].sum() - want["s"]) < 0.05
    alerts = _csv(client, f"/download/director-indicators.csv?dept={DEPT}&benchmark=england"
                          "&level=95")
    flags = alerts["needs_attention"].eq("yes").tolist()
    assert flags == sorted(flags, reverse=True)  # those needing attention come first
    worse = alerts[alerts["compared_with_benchmark"].eq("worse")]
    assert worse["needs_attention"].eq("yes").all()


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

def test_director_page_is_not_registered_in_public_mode(warehouse_file):
    code = (
        "import dash, json\n"
        "from dashboard.factory import create_app\n"
        "app = create_app()\n"
        "c = app.server.test_client()\n"
        "paths = sorted(p['path_template'] or p['path'] for p in dash.page_registry.values())\n"
        "print(json.dumps({'pages': paths,\n"
        "  'ids': sorted(k for k in app.callback_map if 'director-' in k),\n"
        "  'csv': c.get('/download/director-budget.csv?dept=ASC&year=2024/25').status_code}))\n"
    )
    env = {**os.environ, "DASHBOARD_MODE": "public", "WAREHOUSE_PATH": str(warehouse_file)}
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    out = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True,
                         text=True, timeout=120, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert "/director" not in result["pages"]
    assert "/area/<area_code>" in result["pages"]
    assert result["ids"] == []
    assert result["csv"] == 404

