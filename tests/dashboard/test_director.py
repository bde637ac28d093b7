"""The director view's callbacks, layout and CSVs (the staff dashboard, under /staff/)."""

from __future__ import annotations

import io
import json
import sys

import pandas as pd
import pytest

DEPT = "ASC"
OFF_LIST = ["NOPE", "", "'; drop table spend; --", "2024/25 ", ["OLDER"], {"a": 1}, None, 95]


@pytest.fixture(scope="module")
def pages(app):
    app.test_client().get("/staff/director")  # Dash collects the callbacks on its first request
    import dash

    entry = next(p for p in dash.page_registry.values() if p["path"] == "/director")
    return None, sys.modules[entry["module"]]


@pytest.fixture(scope="module")
def latest(wh) -> str:
    return wh("select max(financial_year) as y from mart_area_year where area_code = 'OLDER'"
              )["y"].iloc[0]


def _csv(client, path: str) -> pd.DataFrame:
    r = client.get(path)
    assert r.status_code == 200, (path, r.data[:200])
    return pd.read_csv(io.BytesIO(r.data), keep_default_na=False, na_values=[""])


def dash_app(app):
    """The Dash app mounted on the site's server (its callbacks)."""
    return app.extensions["staff_dash"]


def _callback_key(dash_app, output_id: str) -> str:
    keys = [k for k in dash_app.callback_map if f"{output_id}." in k]
    assert len(keys) == 1, keys
    return keys[0]


def _post_callback(client, dash_app, output_id: str, inputs: dict, state: dict, changed: str):
    """POST a callback request as the browser does; returns the response."""
    key = _callback_key(dash_app, output_id)
    spec = dash_app.callback_map[key]
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
    return client.post("/staff/_dash-update-component", data=json.dumps(body),
                       content_type="application/json")


def _director_inputs(director, latest, **override) -> dict:
    inputs = {director.DEPT: DEPT, director.YEAR: latest, director.BENCHMARK: "england",
              director.LEVEL: "95"}
    inputs.update(override)
    return inputs


def test_director_callback_answers_a_valid_change(client, app, pages, latest):
    _, director = pages
    inputs = _director_inputs(director, latest, **{director.DEPT: "PH"})
    r = _post_callback(client, dash_app(app), director.URL, inputs, {}, director.DEPT)
    assert r.status_code == 200
    out = r.get_json()["response"]
    assert "dept=PH" in out[director.URL]["search"]
    assert "Public Health" in json.dumps(out[director.CONTENT])


@pytest.mark.parametrize("control", ["DEPT", "YEAR", "BENCHMARK", "LEVEL"])
@pytest.mark.parametrize("value", OFF_LIST)
def test_director_callback_rejects_off_list_values(client, app, pages, latest, control,
                                                   value):
    _, director = pages
    cid = getattr(director, control)
    inputs = _director_inputs(director, latest, **{cid: value})
    r = _post_callback(client, dash_app(app), director.URL, inputs, {}, cid)
    assert r.status_code == 204, r.data[:300]


def test_director_layout_reads_the_query_string(app):
    from dashboard.views import director

    with app.app_context():
        view, notes = director.view_from_query({"dept": "ENV", "year": "2022/23",
                                                "benchmark": "region", "level": "998"})
        assert view == director.View("ENV", "2022/23", "region", "998") and notes == []
        view, notes = director.view_from_query({"dept": "NHS-ACUTE"})  # not a council dept
        assert view.dept != "NHS-ACUTE" and len(notes) == 1


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


