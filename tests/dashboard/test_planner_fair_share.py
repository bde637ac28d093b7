"""A user past their fair share of simulations (``dashboard.fairshare``): the planner's
callbacks and page say why in words and keep what they showed; the scenario-results API
answers 429 with the reason; scenarios already worked out still open."""

from __future__ import annotations

import json

import pytest

from dashboard.fairshare import SimulationLimiter
from tests.dashboard.test_drafts_served import Planner
from tests.dashboard.test_scenarios import drafts_file  # noqa: F401
from tests.staff.conftest import entry, row_entries

SPENT = "new scenarios in the last"  # SimulationBusy's words for the per-minute budget


@pytest.fixture()
def one_a_minute(app, monkeypatch):
    """This app's limiter allows one new simulation a minute (restored after the test)."""
    monkeypatch.setitem(app.extensions, "simulations",
                        SimulationLimiter(per_user=1, rate="1 per minute"))


def _move(planner: Planner, percent: float) -> dict:
    values = {"LUNCH": percent}
    return planner.call(
        "scenarios-rows.children",
        [entry("scenarios-add", "n_clicks", None),
         row_entries("scenarios-row-remove", dict.fromkeys(values)),
         row_entries("scenarios-row-value", values),
         row_entries("scenarios-row-kind", dict.fromkeys(values, "percent")),
         entry("scenarios-persist", "value", "sustained")],
        [entry("scenarios-add-service", "value", None),
         entry("scenarios-loaded", "data", {"ref": ""})],
        '{"service":"LUNCH","type":"scenarios-row-value"}.value')


def test_a_refused_simulation_is_said_in_the_planner(app, drafts_file, one_a_minute):  # noqa: F811
    planner = Planner(app)
    first = _move(planner, -37.0)  # a scenario no other test runs: a cache miss
    assert first["scenarios-url"]["search"] == "?change=LUNCH:-37pct"
    refused = _move(planner, -38.0)
    said = json.dumps(refused["scenarios-control-message"], ensure_ascii=False)
    assert SPENT in said and "Try again in a minute" in said
    # the last results, headline and URL stay as they were (no update)
    assert not {"scenarios-results", "scenarios-headline", "scenarios-url"} & set(refused)
    again = _move(planner, -37.0)  # worked out before: from the cache, not counted
    assert again["scenarios-url"]["search"] == "?change=LUNCH:-37pct"

    out = planner.call("scenarios-compare-slot.children",
                       [entry("scenarios-compare-button", "n_clicks", 1)],
                       [entry("scenarios-compare-pick", "value", ["expand-falls-prevention"]),
                        row_entries("scenarios-row-value", {"LUNCH": -39.0}),
                        row_entries("scenarios-row-kind", {"LUNCH": "percent"}),
                        entry("scenarios-persist", "value", "sustained"),
                        entry("scenarios-loaded", "data", {"ref": ""})],
                       "scenarios-compare-button.n_clicks")
    assert SPENT in json.dumps(out["scenarios-compare-message"], ensure_ascii=False)
    assert "scenarios-compare-slot" not in out

    page = planner.page("?change=LUNCH:-41pct")  # a shared link to a new scenario
    assert SPENT in page and "scenarios-years-chart-graph" not in page


def test_the_scenario_results_api_answers_429_with_the_reason(app, one_a_minute):
    client = app.test_client()
    assert client.get("/api/v1/scenario-results?change=LUNCH:-43pct").status_code == 200
    r = client.get("/api/v1/scenario-results?change=LUNCH:-44pct")
    assert r.status_code == 429 and SPENT in r.get_json()["message"]
    assert r.headers["Retry-After"] == "60"
    assert client.get("/api/v1/scenario-results?change=LUNCH:-43pct").status_code == 200
