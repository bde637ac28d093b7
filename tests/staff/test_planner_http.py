"""The live planner's callbacks through HTTP, with the payloads dash-renderer sends: a control
moved redraws every result and the URL; add, remove, save, publish and compare; the user and
role come from the server (sign-in), never the page."""

from __future__ import annotations

import json

import pytest
import requests

from dashboard.views.format import money_signed
from dashboard.views.scenario_results import probability_text as probability
from indicators import spillover as sp
from tests.auth_users import write_users_file
from tests.conftest import start_gunicorn, stop
from tests.staff.conftest import call, entry, output_key, page_layout, row_entries

VALUE, KIND, REMOVE = "scenarios-row-value", "scenarios-row-kind", "scenarios-row-remove"


@pytest.fixture(scope="module")
def update_key(deps):
    return output_key(deps, "scenarios-rows.children")


def planner(staff, key, values: dict, kinds: dict | None = None, *, add=None, add_service=None,
            removes: dict | None = None, persistence="sustained", loaded=None, changed=None,
            headers=None):
    kinds = kinds or dict.fromkeys(values, "percent")
    inputs = [entry("scenarios-add", "n_clicks", add),
              row_entries(REMOVE, removes or dict.fromkeys(values)),
              row_entries(VALUE, values), row_entries(KIND, kinds),
              entry("scenarios-persist", "value", persistence)]
    state = [entry("scenarios-add-service", "value", add_service),
             entry("scenarios-loaded", "data", loaded or {"ref": ""})]
    return call(staff, key, inputs, state, changed or ["scenarios-persist.value"],
                headers=headers)


def _text(node) -> str:
    return json.dumps(node, ensure_ascii=False)


@pytest.fixture(scope="module")
def expected(wh):
    """The luncheon-club cut run straight through the model on the warehouse's inputs."""
    from queries.runner import QUERIES

    links, costs, payers = (wh(QUERIES[n].sql) for n in ("spillover_links", "unit_costs",
                                                          "payers"))
    funders = dict(wh("select service_code, dept_code from service").itertuples(index=False))
    spend = wh(QUERIES["service_spend_latest"].sql).set_index("service_code").at[
        "LUNCH", "spend_gbp"]

    def run(share: float):
        return sp.simulate(links, costs, payers, {"LUNCH": share * float(spend)},
                           funders=funders, years=5, draws=10_000, seed=sp.DEFAULT_SEED)

    return run


def test_pages_redirects_and_not_found(staff):
    r = requests.get(f"{staff}/staff/scenarios", timeout=30)
    assert r.status_code == 200 and "sha256-" in r.headers["Content-Security-Policy"]
    for path in ("/staff/nope", "/staff/scenarios/extra", "/staff/area/OLDER", "/staff/_nope",
                 "/staff/_nope/x", "/staff/_dash-layout/x", "/staff/_dash-dependencies/"):
        assert requests.get(staff + path, timeout=30).status_code == 404, path
    assert requests.head(staff + "/staff/nope", timeout=30).status_code == 404
    for path in ("/staff/_dash-layout", "/staff/_dash-dependencies"):  # Dash's own routes
        assert requests.get(staff + path, timeout=30).status_code == 200, path
    for old, new in (("/scenarios?change=LUNCH:-100pct", "/staff/scenarios?change=LUNCH:-100pct"),
                     ("/director?dept=ASC", "/staff/director?dept=ASC"),
                     ("/scenarios", "/staff/scenarios")):
        r = requests.get(staff + old, allow_redirects=False, timeout=30)
        assert r.status_code == 308 and r.headers["Location"].endswith(new), old


def test_a_link_draws_the_scenario_with_the_models_figures(staff, expected):
    page = _text(page_layout(staff, "/staff/scenarios", "?scenario=close-luncheon-clubs"))
    want = expected(-1.0)
    assert "Close the luncheon clubs: In year 1 the council spends £116k less" in page
    for row in want.by_payer.itertuples():
        if abs(row.net_saving_p2_5_gbp) > 0.5:
            assert f"scenarios-net-{row.payer_code}-total" in page
            assert money_signed(row.net_saving_gbp) in page
    assert probability(want.prob_net_saving_public_purse) in page
    for ident in ("scenarios-years-chart-graph", "scenarios-years-chart-table",
                  "scenarios-tornado-graph", "scenarios-evidence-table",
                  "/download/scenario.csv?scenario=close-luncheon-clubs"):
        assert ident in page, ident


def test_a_bad_link_is_explained_not_guessed(staff):
    page = _text(page_layout(staff, "/staff/scenarios", "?change=NOSUCH:-10pct"))
    assert "There is no service “NOSUCH”" in page
    assert "scenarios-years-chart-graph" not in page


def test_moving_a_control_redraws_every_result_and_the_url(staff, update_key, expected):
    r = planner(staff, update_key, {"LUNCH": -50.0}, changed=[
        '{"service":"LUNCH","type":"scenarios-row-value"}.value'])
    assert r.status_code == 200, r.text[:300]
    out = r.json()["response"]
    assert out["scenarios-url"]["search"] == "?change=LUNCH:-50pct"
    half = expected(-0.5)
    headline = out["scenarios-headline"]["children"]
    assert headline.startswith("Your scenario: In year 1 the council spends")
    assert probability(half.prob_net_saving_public_purse) in headline
    results = _text(out["scenarios-results"]["children"])
    assert money_signed(half.by_payer.set_index("payer_code").at["NHS-ACUTE",
                                                                 "net_saving_gbp"]) in results
    assert "scenarios-years-chart-graph" in results and "scenarios-tornado-graph" in results
    assert "scenarios-rows" not in out  # the controls are left as they are (no update)
    whole = planner(staff, update_key, {"LUNCH": -100.0}).json()["response"]
    assert whole["scenarios-headline"]["children"] != headline
    assert probability(expected(-1.0).prob_net_saving_public_purse) in whole[
        "scenarios-headline"]["children"]


def test_amounts_one_off_and_a_row_being_typed(staff, update_key):
    out = planner(staff, update_key, {"FALLS": 50000.0}, {"FALLS": "amount"},
                  persistence="oneoff").json()["response"]
    assert out["scenarios-url"]["search"] == "?change=FALLS:50000&persist=oneoff"
    # a row with no number yet: said beside the controls; the last results and URL stay
    out = planner(staff, update_key, {"FALLS": 50000.0, "LUNCH": None},
                  {"FALLS": "amount", "LUNCH": "percent"}).json()["response"]
    assert "Give a number for" in _text(out["scenarios-control-message"])
    assert set(out) == {"scenarios-control-message"}
    # out of bounds: explained, not run
    out = planner(staff, update_key, {"LUNCH": -150.0}).json()["response"]
    assert "between −100% and +500%" in _text(out["scenarios-control-message"])
    assert set(out) == {"scenarios-control-message"}


def test_add_and_remove_a_service(staff, update_key):
    r = planner(staff, update_key, {"LUNCH": -100.0}, add=1, add_service="FALLS",
                changed=["scenarios-add.n_clicks"])
    out = r.json()["response"]
    assert out["scenarios-url"]["search"] == "?change=FALLS:-10pct,LUNCH:-100pct"
    rows = _text(out["scenarios-rows"]["children"])
    assert '"service": "FALLS"' in rows and '"service": "LUNCH"' in rows
    r = planner(staff, update_key, {"FALLS": -10.0, "LUNCH": -100.0},
                removes={"FALLS": None, "LUNCH": 1},
                changed=['{"service":"LUNCH","type":"scenarios-row-remove"}.n_clicks'])
    out = r.json()["response"]
    assert out["scenarios-url"]["search"] == "?change=FALLS:-10pct"
    assert '"service": "LUNCH"' not in _text(out["scenarios-rows"]["children"])
    # adding a service twice says so
    out = planner(staff, update_key, {"LUNCH": -100.0}, add=2, add_service="LUNCH",
                  changed=["scenarios-add.n_clicks"]).json()["response"]
    assert "already in the scenario" in _text(out["scenarios-control-message"])


def test_a_published_scenario_keeps_its_name_until_it_is_changed(staff, update_key):
    loaded = {"ref": "close-luncheon-clubs"}
    out = planner(staff, update_key, {"LUNCH": -100.0}, loaded=loaded).json()["response"]
    assert out["scenarios-url"]["search"] == "?scenario=close-luncheon-clubs"
    assert out["scenarios-headline"]["children"].startswith("Close the luncheon clubs:")
    out = planner(staff, update_key, {"LUNCH": -90.0}, loaded=loaded).json()["response"]
    assert out["scenarios-url"]["search"] == "?change=LUNCH:-90pct"


def _rows_state(values: dict) -> list:
    return [row_entries(VALUE, values), row_entries(KIND, dict.fromkeys(values, "percent"))]


def test_save_publish_and_compare(staff, deps):
    save_key = output_key(deps, "scenarios-save-message.children")
    r = call(staff, save_key, [entry("scenarios-save", "n_clicks", 1)],
             [entry("scenarios-draft-name", "value", "Halve the luncheon clubs"),
              *_rows_state({"LUNCH": -50.0})], ["scenarios-save.n_clicks"])
    out = r.json()["response"]
    said = _text(out["scenarios-save-message"])
    assert "Saved “Halve the luncheon clubs” as draft" in said
    ref = "draft:" + said.split("as draft ")[1].split(".")[0]
    assert "Halve the luncheon clubs" in _text(out["scenarios-drafts-slot"])
    # the draft opens from its link, named
    page = _text(page_layout(staff, "/staff/scenarios", f"?scenario={ref}"))
    assert "Scenario planner: Halve the luncheon clubs" in page
    # publish it (the demo user is a cabinet member: the server says so, not the page)
    publish_key = output_key(deps, "scenarios-drafts-slot.children")
    out = call(staff, publish_key, [entry("scenarios-publish", "n_clicks", 1)],
               [entry("scenarios-publish-draft", "value", ref)],
               ["scenarios-publish.n_clicks"]).json()["response"]
    assert "Published “Halve the luncheon clubs”" in _text(out)
    # compare the controls' scenario with it and a published one
    compare_key = output_key(deps, "scenarios-compare-slot.children")
    out = call(staff, compare_key, [entry("scenarios-compare-button", "n_clicks", 1)],
               [entry("scenarios-compare-pick", "value", [ref, "expand-falls-prevention"]),
                *_rows_state({"LUNCH": -100.0}), entry("scenarios-persist", "value", "sustained"),
                entry("scenarios-loaded", "data", {"ref": ""})],
               ["scenarios-compare-button.n_clicks"]).json()["response"]
    table = _text(out["scenarios-compare-slot"])
    assert "Halve the luncheon clubs" in table and "Expand falls prevention by half" in table
    # an off-list pick is no update
    r = call(staff, compare_key, [entry("scenarios-compare-button", "n_clicks", 2)],
             [entry("scenarios-compare-pick", "value", ["draft:999999"]),
              *_rows_state({"LUNCH": -100.0}), entry("scenarios-persist", "value", "sustained"),
              entry("scenarios-loaded", "data", {"ref": ""})],
             ["scenarios-compare-button.n_clicks"])
    assert r.status_code == 204


@pytest.fixture(scope="module")
def signed_in(warehouse_file, tmp_path_factory):
    """The staff dashboard behind a trusted proxy's sign-in (AUTH_MODE=header)."""
    folder = tmp_path_factory.mktemp("staff-header")
    users = write_users_file(folder / "users.yaml")
    env = {"DRAFTS_PATH": str(folder / "drafts.sqlite3"), "AUTH_MODE": "header",
           "AUTH_USERS_FILE": str(users), "SECRET_KEY": "test", "SESSION_COOKIE_SECURE": "0"}
    proc, url = start_gunicorn(warehouse_file, "internal", env)
    yield url
    stop(proc)


def test_role_comes_from_the_server_not_the_page(signed_in):
    deps = {d["output"]: d for d in requests.get(
        f"{signed_in}/staff/_dash-dependencies", headers={"X-Remote-User": "dora"},
        timeout=30).json()}
    save_key = output_key(deps, "scenarios-save-message.children")

    def save(user: str | None, service: str):
        headers = {"X-Remote-User": user} if user else {}
        return call(signed_in, save_key, [entry("scenarios-save", "n_clicks", 1)],
                    [entry("scenarios-draft-name", "value", f"{user} {service}"),
                     *_rows_state({service: -10.0})], ["scenarios-save.n_clicks"],
                    headers=headers)

    assert save(None, "LUNCH").status_code == 401  # nobody signed in: no callback at all
    assert "Saved" in _text(save("dora", "LUNCH").json())  # a director, her department
    refused = _text(save("dora", "STREETS").json())  # another department's service
    assert "Saved" not in refused and "scenarios-save-message" in refused
    assert "Saved" in _text(save("cath", "STREETS").json())  # cabinet: any service
    publish_key = output_key(deps, "scenarios-drafts-slot.children")
    r = call(signed_in, publish_key, [entry("scenarios-publish", "n_clicks", 1)],
             [entry("scenarios-publish-draft", "value", "draft:1")],
             ["scenarios-publish.n_clicks"], headers={"X-Remote-User": "dora"})
    assert "Cabinet members and admins can publish drafts" in _text(r.json())


def test_a_one_off_link_and_an_unknown_knock_on_are_shown_as_such(staff):
    page = _text(page_layout(staff, "/staff/scenarios", "?change=FALLS:50pct&persist=oneoff"))
    assert '"value": "oneoff"' in page  # the control starts where the link says
    assert "/staff/scenarios?change=FALLS:50pct&persist=oneoff" in page  # the share link
    assert "/api/v1/scenario-results?change=FALLS:50pct&persist=oneoff" in page  # the JSON
    page = _text(page_layout(staff, "/staff/scenarios", "?change=RESCARE:-1000000"))
    assert "Knock-on effects unknown" in page and "statutory, demand-led service" in page
    assert "not given: knock-on effects of an unmodelled service are unknown" in page
