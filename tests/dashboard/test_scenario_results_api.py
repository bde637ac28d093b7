"""GET /api/v1/scenario-results: every number the planner shows, as JSON, checked inputs."""

from __future__ import annotations

import pytest

from indicators import spillover as sp

URL = "/api/v1/scenario-results"


def _get(client, query: str):
    r = client.get(URL + query)
    return r.status_code, r.get_json()


def test_luncheon_clubs_by_scenario_and_by_change_agree_with_the_model(client, wh):
    status, body = _get(client, "?scenario=close-luncheon-clubs")
    assert status == 200
    assert body["scenario"]["id"] == "close-luncheon-clubs"
    assert body["scenario"]["changes"] == ["LUNCH:-100pct"]
    status, same = _get(client, "?change=LUNCH:-100pct")
    assert status == 200
    assert same["public_purse"] == body["public_purse"] and same["links"] == body["links"]
    for scope in ("public_purse", "council"):
        assert set(body[scope]["net_5y"]) == {"central", "low", "high"}
        assert 0 <= body[scope]["p_net_saving"] <= 1
    assert {p["payer_code"] for p in body["payers"]} == {"ASC", "NHS-ACUTE", "NHS-PC"}
    assert body["unmodelled_services"] == []
    # the model called directly with the same inputs gives the same medians and probability
    from queries.runner import QUERIES

    links, costs, payers = (wh(QUERIES[n].sql) for n in ("spillover_links", "unit_costs",
                                                          "payers"))
    services = wh(QUERIES["service_spend_latest"].sql)
    spend = float(services.set_index("service_code").at["LUNCH", "spend_gbp"])
    run = sp.simulate(links, costs, payers, {"LUNCH": -round(spend, 2)},
                      funders=dict(zip(services["service_code"], services["dept_code"],
                                       strict=True)), allow_unlinked=True)
    purse = run.overall.set_index("scope").loc["public_purse"]
    assert body["public_purse"]["net_5y"]["central"] == pytest.approx(purse["net_saving_gbp"])
    assert body["public_purse"]["net_5y"]["low"] == pytest.approx(purse["net_saving_p2_5_gbp"])
    assert body["public_purse"]["p_net_saving"] == pytest.approx(purse["prob_net_saving"])
    links_out = {lk["link_id"]: lk for lk in body["links"]}
    assert set(links_out) == {"LUNCH-FALLADM", "LUNCH-AE", "LUNCH-HOMECARE", "LUNCH-CAREHOME",
                              "LUNCH-GP"}
    by_link = run.by_link.set_index("link_id")
    for lid, lk in links_out.items():
        assert lk["knock_on_5y"] == pytest.approx(by_link.at[lid, "spillover_saving_gbp"])
        assert lk["knock_on_5y_unadjusted"] == pytest.approx(
            by_link.at[lid, "spillover_saving_unadjusted_gbp"])
        assert len(lk["years"]) == 5 and sum(lk["years"]) == pytest.approx(lk["knock_on_5y"])
        # a cut: knock-on extra costs, scaled up (never down) against the proposal
        assert lk["knock_on_5y"] <= lk["knock_on_5y_unadjusted"] <= 0
    assert links_out["LUNCH-AE"]["tied_with"] == ["LUNCH-CAREHOME", "LUNCH-FALLADM",
                                                  "LUNCH-HOMECARE"]
    assert links_out["LUNCH-CAREHOME"]["stay_years"] == 2.2
    assert links_out["LUNCH-GP"]["tied_with"] == []


def test_one_off_changes_and_unlinked_services(client):
    _, sustained = _get(client, "?change=FALLS:50pct")
    status, once = _get(client, "?change=FALLS:50pct&persist=oneoff")
    assert status == 200 and once["settings"]["persistence"] == "oneoff"
    assert once["council"]["direct_5y"] == pytest.approx(
        once["council"]["years"][0]["direct"])  # spent in year 1 only
    assert sustained["council"]["direct_5y"] < 4 * sustained["council"]["years"][0]["direct"]
    status, body = _get(client, "?change=RESCARE:-1000000")
    assert status == 200
    assert body["unmodelled_services"] == ["RESCARE"]
    assert body["public_purse"]["p_net_saving"] is None
    assert body["public_purse"]["net_5y"]["low"] is None
    assert body["public_purse"]["net_5y"]["central"] is None  # not known: never zero
    assert body["public_purse"]["knock_on_5y"] is None
    assert body["public_purse"]["net_5y_modelled"] == pytest.approx(
        body["public_purse"]["direct_5y"])
    assert body["headline"][0].startswith("Knock-on effects unknown")
    assert "demand-led" in body["warnings"][0]


@pytest.mark.parametrize(("query", "status"), [
    ("", 400),
    ("?change=LUNCH:-100pct&scenario=close-luncheon-clubs", 400),
    ("?change=NOPE:-5pct", 400),
    ("?change=LUNCH:-900pct", 400),
    ("?change=LUNCH:-1e9", 400),
    ("?change=LUNCH:-100pct&persist=forever", 400),
    ("?change=LUNCH:-100pct&persist=oneoff&persist=sustained", 400),
    ("?scenario=no-such-scenario", 404),
    ("?scenario=draft:1", 400),
    ("?scenario=%3Cscript%3E", 400),
    ("?change=LUNCH:-100pct&drop=table", 400),
    ("?change=" + "LUNCH:-1," * 300, 400),
])
def test_forged_queries_get_a_4xx_with_a_message(client, query, status):
    got, body = _get(client, query)
    assert got == status, query
    assert body["error"]


def test_public_mode_serves_published_scenarios_and_changes_but_no_drafts(warehouse_file,
                                                                         tmp_path):
    from dashboard.factory import create_app
    from dashboard.settings import Settings

    drafts = tmp_path / "d.sqlite3"
    app = create_app(Settings(mode="public", warehouse_path=str(warehouse_file),
                              drafts_path=str(drafts)))
    c = app.test_client()
    got = {q: c.get("/api/v1/scenario-results" + q).status_code for q in (
        "?scenario=close-luncheon-clubs", "?change=LUNCH:-100pct",
        "?scenario=draft:1", "?change=LUNCH:-100pct&persist=oneoff")}
    assert got == {"?scenario=close-luncheon-clubs": 200, "?change=LUNCH:-100pct": 200,
                   "?scenario=draft:1": 400, "?change=LUNCH:-100pct&persist=oneoff": 200}
    assert not drafts.exists()
