"""The scenario planner in process: the URL format, the luncheon-club story, the cache, the
callbacks against forged POSTs and role checks, and that public mode has no planner at all."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import dash
import pytest

from dashboard.auth import DEMO_USER
from drafts import store as drafts_store
from indicators import spillover as sp

PAGES_OUTPUT = ".._pages_content.children..._pages_store.data.."


@pytest.fixture(scope="module")
def mod(dash_app):
    """The page module as Dash loaded it (Dash runs page files under its own names)."""
    entry = next(p for p in dash.page_registry.values() if p["path"] == "/scenarios")
    return sys.modules[entry["module"]]


@pytest.fixture()
def drafts_file(tmp_path, monkeypatch):
    path = tmp_path / "drafts.sqlite3"
    monkeypatch.setenv("DRAFTS_PATH", str(path))
    return path


PAGE_VIEW = ("/_dash-update-component", "POST")  # how Dash Pages asks for a page's layout


@pytest.fixture()
def ctx(dash_app):
    with dash_app.server.test_request_context(PAGE_VIEW[0], method=PAGE_VIEW[1]):
        yield


@pytest.fixture()
def plan(mod, ctx):
    return mod.planner()


def _user(mod):
    return mod.auth.current_user()


# ---- the URL format ----------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "canonical"), [
    ("LUNCH:-100pct", "?change=LUNCH:-100pct"),
    ("lunch:-100%", "?change=LUNCH:-100pct"),
    ("LUNCH: 25pct", "?change=LUNCH:25pct"),  # "+25pct" after the query string's + -> space
    ("LUNCH:+25.5PCT", "?change=LUNCH:25.5pct"),
    ("FALLS:50000", "?change=FALLS:50000"),
    ("FALLS:50k", "?change=FALLS:50000"),
    ("REABLE:-0.25m", "?change=REABLE:-250000"),
    ("LUNCH:-100pct,FALLS:50000", "?change=FALLS:50000,LUNCH:-100pct"),
    (["LUNCH:-100pct", "FALLS:+50000"], "?change=FALLS:50000,LUNCH:-100pct"),
    (" LUNCH:-50pct , ", "?change=LUNCH:-50pct"),
])
def test_good_changes_parse_to_one_canonical_form(mod, plan, raw, canonical):
    scenario, others, errors = mod.read_query({"change": raw}, plan, _user(mod))
    assert errors == []
    assert mod.search_for(scenario.changes) == canonical
    # the canonical form reads back to the same scenario
    again, _, _ = mod.read_query({"change": canonical.split("=", 1)[1]}, plan, _user(mod))
    assert again.changes == scenario.changes


@pytest.mark.parametrize(("query", "words"), [
    ({"change": "NOSUCH:-10pct"}, "There is no service “NOSUCH”"),
    ({"change": "NOPE:-10pct"}, "There is no service"),
    ({"change": "LUNCH:-1000000"}, "more than its whole spend"),
    ({"change": "FALLS:200m"}, "at most £100m"),
    ({"change": "FALLS:999999999999"}, "at most £100m"),
    ({"change": "LUNCH:-101pct"}, "between −100% and +500%"),
    ({"change": "LUNCH:501pct"}, "between −100% and +500%"),
    ({"change": ",".join(f"S{i}:1" for i in range(21))}, "at most 20 services"),
    ({"change": "LUNCH:1,LUNCH:2"}, "Change each service once"),
    ({"change": "LUNCH"}, "is not a change"),
    ({"change": "LUNCH:1e9"}, "is not a change"),
    ({"change": "LUNCH:abc"}, "is not a change"),
    ({"change": "LUNCH:-100pct' or '1'='1"}, "is not a change"),
    ({"change": "<script>alert(1)</script>:1"}, "is not a change"),
    ({"change": "x" * 5000}, "too long"),
    ({"change": ["LUNCH:1", 5]}, "must be text"),
    ({"scenario": "nope"}, "no published scenario"),
    ({"scenario": "draft:999999"}, "no draft 999999"),
    ({"scenario": "'; drop table scenario; --"}, "no published scenario"),
    ({"scenario": "close-luncheon-clubs", "change": "LUNCH:1"}, "not both"),
    ({"change": "LUNCH:1", "compare": "a,b,c,d"}, "at most 3"),
    ({"change": "LUNCH:1", "compare": "nope"}, "no published scenario"),
])
def test_bad_links_are_refused_with_a_message(mod, plan, drafts_file, query, words):
    scenario, others, errors = mod.read_query(query, plan, _user(mod))
    assert any(words in e for e in errors), errors
    if "compare" not in query:
        assert scenario is None
    for e in errors:
        assert "Traceback" not in e and "<script>" not in e
        assert len(e) < 400


def test_bad_links_render_a_page_with_the_message(mod, ctx, drafts_file):
    text = str(mod.layout(change="NOSUCH:-10pct,LUNCH:9999pct"))
    assert "This link could not be used as it is" in text
    assert "NOSUCH" in text and "between −100% and +500%" in text
    assert mod.HEADLINE in text  # the page still renders its introduction and builder


def test_page_callback_with_junk_search_answers_without_a_traceback(client, drafts_file):
    client.get("/")
    for search in ("?change=LUNCH:-100pct", "?change=%ZZ%00", "?change=" + "9" * 3000,
                   "?scenario=../../etc/passwd", "?compare=x&compare=y&compare=z&compare=w",
                   "?change=LUNCH:-50pct&change=LUNCH:-60pct"):
        body = {"output": PAGES_OUTPUT,
                "outputs": [{"id": "_pages_content", "property": "children"},
                            {"id": "_pages_store", "property": "data"}],
                "inputs": [{"id": "_pages_location", "property": "pathname",
                            "value": "/scenarios"},
                           {"id": "_pages_location", "property": "search", "value": search}],
                "changedPropIds": ["_pages_location.search"]}
        r = client.post("/_dash-update-component", data=json.dumps(body),
                        content_type="application/json")
        assert r.status_code == 200, (search, r.status_code)
        text = r.get_data(as_text=True)
        assert "Traceback" not in text and 'File "' not in text
        assert "Scenario planner" in text


# ---- the luncheon-club story -------------------------------------------------------------

def test_luncheon_club_scenario_tells_the_story(mod, plan):
    scenario = plan.published["close-luncheon-clubs"]
    assert scenario.changes == (mod.Change("LUNCH", "percent", -100.0),)
    out = mod.model_run(scenario, plan)
    result = out["result"]
    assert result.draws == 10_000 and result.seed == sp.DEFAULT_SEED and result.years == 5
    by_year = result.by_payer_year.set_index(["payer_code", "year"])
    spend = float(plan.services.at["LUNCH", "spend_gbp"])
    # year 1: the council (ASC) saves the whole spend; no knock-on lands on it yet
    assert by_year.at[("ASC", 1), "net_saving_gbp"] == pytest.approx(spend)
    assert by_year.at[("ASC", 1), "net_saving_gbp"] > 0
    # the NHS pays more, every year, and is sure to
    for payer in ("NHS-ACUTE", "NHS-PC"):
        for year in range(1, 6):
            assert by_year.at[(payer, year), "net_saving_gbp"] < 0
    assert result.prob_net_saving("NHS-ACUTE") == 0.0
    # by year 3 the council's own knock-on costs are a large share of its saving
    y3 = by_year.loc[("ASC", 3)]
    assert -y3["spillover_saving_gbp"] > 0.5 * y3["direct_saving_gbp"]
    # and the public purse is more likely to lose than to gain over five years
    assert result.prob_net_saving_public_purse < 0.5 < result.prob_net_saving_council
    words = mod.headline(scenario, result)
    assert words.startswith("Close the luncheon clubs: In year 1 the council saves £116,319")
    assert "NHS hospital care pays" in words and "knock-on costs" in words
    assert "probability" in words


def _direct_inputs(wh, natural_order: bool = False):
    """The model's inputs read straight from the warehouse: through the app's own query files
    (the same row order, so the same Monte Carlo draws), or in the tables' own order."""
    from queries.runner import QUERIES

    if natural_order:
        links = wh("select * from spillover_link")
        costs = wh("select * from unit_cost")
        payers = wh("select d.dept_code as payer_code, d.dept_name as payer_label, "
                    "o.is_council from department as d join organisation as o using (org_code)")
    else:
        links, costs, payers = (wh(QUERIES[n].sql) for n in ("spillover_links", "unit_costs",
                                                              "payers"))
    funders = dict(wh("select service_code, dept_code from service").itertuples(index=False))
    spend = wh("select spend_gbp from mart_spend_service_year where service_code = 'LUNCH' "
               "and financial_year = (select max(financial_year) from mart_spend_service_year)")
    return links, costs, payers, funders, float(spend.iloc[0, 0])


def test_result_matches_a_direct_call_of_the_model(mod, plan, wh):
    shown = mod.model_run(plan.published["close-luncheon-clubs"], plan)["result"]
    cols = ["net_saving_gbp", "net_saving_p2_5_gbp", "net_saving_p97_5_gbp", "prob_net_saving"]
    got = shown.by_payer.set_index("payer_code")[cols].sort_index()
    links, costs, payers, funders, spend = _direct_inputs(wh)
    direct = sp.simulate(links, costs, payers, {"LUNCH": -spend}, funders=funders,
                         draws=10_000, seed=sp.DEFAULT_SEED)
    want = direct.by_payer.set_index("payer_code")[cols].sort_index()
    assert got.to_numpy() == pytest.approx(want.to_numpy(), rel=1e-9, abs=1e-6)
    # in the tables' own row order the draws differ, but not the central values
    links, costs, payers, funders, spend = _direct_inputs(wh, natural_order=True)
    other = sp.simulate(links, costs, payers, {"LUNCH": -spend}, funders=funders, draws=200)
    central = other.by_payer.set_index("payer_code")["net_saving_gbp"].sort_index()
    assert got["net_saving_gbp"].to_numpy() == pytest.approx(central.to_numpy(), abs=1e-6)


def test_year_table_has_every_payer_year_and_totals(mod, plan):
    table = mod.model_run(plan.published["close-luncheon-clubs"], plan)["years"]
    assert set(table["payer_code"]) == {"ASC", "NHS-ACUTE", "NHS-PC", "council",
                                        "public_purse"}
    assert table.groupby("payer_code").size().eq(6).all()  # 5 years + the total
    nhs = table[(table["payer_code"] == "NHS-ACUTE")]
    assert (nhs["knock_on_lower95_gbp"] <= nhs["knock_on_saving_gbp"]).all()
    assert (nhs["knock_on_saving_gbp"] <= nhs["knock_on_upper95_gbp"]).all()


def test_repeat_views_come_from_the_cache(mod, plan, monkeypatch):
    scenario = mod.Scenario("", "t", "", "unsaved", (mod.Change("FALLS", "percent", 13.0),))
    first = mod.model_run(scenario, plan)
    calls = []
    monkeypatch.setattr(mod.sp, "simulate", lambda *a, **k: calls.append(1))
    second = mod.model_run(scenario, plan)
    assert calls == []
    assert second["years"].equals(first["years"])
    # the key is the warehouse version and the £ changes, so 13% and its £ are one entry
    pounds = dict(mod.amounts(scenario.changes, plan))["FALLS"]
    same = mod.Scenario("", "t", "", "unsaved", (mod.Change("FALLS", "amount", pounds),))
    assert mod.model_run(same, plan)["years"].equals(first["years"])
    assert calls == []


def test_page_shows_payers_probabilities_tornado_and_evidence(mod, ctx, drafts_file):
    text = str(mod.layout(scenario="close-luncheon-clubs"))
    for ident in (mod.HEADLINE, mod.YEARS_TABLE, "scenarios-net-ASC-y1",
                  "scenarios-net-NHS-ACUTE-total", "scenarios-prob-public_purse",
                  "scenarios-prob-council", mod.TORNADO_BLOCK, mod.EVIDENCE_BLOCK):
        assert ident in text, ident
    assert "optimism bias" in text and "deadweight" in text


def test_compare_puts_scenarios_side_by_side(mod, ctx, drafts_file):
    text = str(mod.layout(scenario="close-luncheon-clubs",
                          compare="expand-falls-prevention"))
    assert mod.COMPARE_BLOCK in text
    assert "Expand falls prevention by half" in text and "Close the luncheon clubs" in text


def test_page_html_carries_no_other_pages_layouts(mod, dash_app, drafts_file):
    """Dash can embed every page's no-argument layout (its validation layout) in each page's
    HTML; the app turns that off, so no page carries the planner's ids, drafts or figures."""
    drafts_store.DraftStore(drafts_file).save(DEMO_USER, "Secret option", [
        drafts_store.Change("LUNCH", "percent", -10.0)], ["ASC"])
    client = dash_app.server.test_client()
    for path in ("/", "/area/OLDER", "/scenarios"):
        html_text = client.get(path, headers={"Accept-Encoding": "identity"}).get_data(True)
        assert "validation_layout" not in html_text, path
        assert "Secret option" not in html_text and mod.PUBLISH_PICK not in html_text, path
        assert len(html_text) < 20_000, (path, len(html_text))
    with dash_app.server.test_request_context(PAGE_VIEW[0], method=PAGE_VIEW[1]):
        assert "Secret option" in str(mod.layout())


# ---- callbacks: forged POSTs and roles ---------------------------------------------------

def _key(dash_app, fragment: str) -> str:
    return next(k for k in dash_app.callback_map if fragment in k)


def _post(client, dash_app, fragment: str, inputs: list, state: list, headers=None):
    key = _key(dash_app, fragment)
    cb = dash_app.callback_map[key]
    parts = key[2:-2].split("...") if key.startswith("..") else [key]
    outs = [dict(zip(("id", "property"), p.split("@")[0].rsplit(".", 1), strict=True))
            for p in parts]
    body = {
        "output": key, "outputs": outs if key.startswith("..") else outs[0],
        "inputs": [{"id": d["id"], "property": d["property"], "value": v}
                   for d, v in zip(cb["inputs"], inputs, strict=True)],
        "state": [{"id": d["id"], "property": d["property"], "value": v}
                  for d, v in zip(cb["state"], state, strict=True)],
        "changedPropIds": [f"{d['id']}.{d['property']}" for d in cb["inputs"]],
    }
    return client.post("/_dash-update-component", data=json.dumps(body),
                       content_type="application/json", headers=headers or {})


def _ok(r):
    assert r.status_code in (200, 204), r.status_code
    text = r.get_data(as_text=True)
    assert "Traceback" not in text and 'File "' not in text
    return json.loads(text) if r.status_code == 200 else None


OFF_LIST_ADD = [
    ("NOSUCH", "percent", -10, ""), ("'; drop table service; --", "percent", -10, ""),
    ("LUNCH", "bogus", -10, ""), ("LUNCH", "percent", "-10", ""),
    ("LUNCH", "percent", [1], ""), ("LUNCH", "percent", {"a": 1}, ""),
    ("LUNCH", "percent", True, ""), (["LUNCH"], "percent", -10, ""),
    ("LUNCH", "percent", -10, ["?x"]), ("LUNCH", "percent", -10, "?" + "x" * 10_000),
]


def test_forged_add_change_with_off_list_values_returns_nothing(client, dash_app, drafts_file):
    client.get("/")
    for service, kind, value, search in OFF_LIST_ADD:
        r = _post(client, dash_app, "scenarios-add-message", [1], [service, kind, value, search])
        assert _ok(r) is None, (service, kind, value)
    r = _post(client, dash_app, "scenarios-add-message", [1], ["LUNCH", "percent", 10**400, ""])
    assert _ok(r) is None
    for n in (0, None, "1", -1, True, 10**12):
        r = _post(client, dash_app, "scenarios-add-message", [n], ["LUNCH", "percent", -1, ""])
        assert _ok(r) is None, n


def test_add_change_moves_to_the_new_url_and_explains_bounds(client, dash_app, drafts_file):
    client.get("/")
    r = _post(client, dash_app, "scenarios-add-message", [1],
              ["LUNCH", "percent", -50, "?change=FALLS:10pct&compare=close-luncheon-clubs"])
    out = _ok(r)["response"]
    assert out["scenarios-nav"]["href"] == (
        "/scenarios?change=FALLS:10pct,LUNCH:-50pct&compare=close-luncheon-clubs")
    r = _post(client, dash_app, "scenarios-add-message", [1],
              ["LUNCH", "percent", -500, "?change=FALLS:10pct"])
    out = _ok(r)["response"]
    assert "scenarios-nav" not in out  # no navigation: the message says why
    assert "between −100% and +500%" in json.dumps(out, ensure_ascii=False)


def test_forged_publish_and_compare_values_return_nothing(client, dash_app, drafts_file):
    client.get("/")
    for ref in ("draft:999999", "1 or 1=1", "close-luncheon-clubs", None, ["draft:1"], 3):
        assert _ok(_post(client, dash_app, "scenarios-publish-message", [1], [ref])) is None
    for picked in (["nope"], ["draft:999999"], "close-luncheon-clubs", [1], None,
                   ["close-luncheon-clubs"] * 3 + ["'; --"]):
        r = _post(client, dash_app, "scenarios-compare-message", [1],
                  [picked, "?scenario=close-luncheon-clubs"])
        assert _ok(r) is None, picked
    r = _post(client, dash_app, "scenarios-compare-message", [1],
              [["expand-falls-prevention"], "?scenario=close-luncheon-clubs"])
    assert _ok(r)["response"]["scenarios-nav"]["href"] == (
        "/scenarios?scenario=close-luncheon-clubs&compare=expand-falls-prevention")


def test_save_and_publish_a_draft_through_the_callbacks(client, dash_app, drafts_file, mod):
    client.get("/")
    r = _post(client, dash_app, "scenarios-save-message", [1],
              ["x'); drop table drafts;--", "?change=LUNCH:-40pct"])
    text = json.dumps(_ok(r)["response"], ensure_ascii=False)
    assert "Saved" in text
    store = drafts_store.DraftStore(drafts_file)
    [draft] = store.visible(DEMO_USER)
    assert draft.name == "x'); drop table drafts;--"  # stored literally
    assert draft.owner == DEMO_USER.name  # from the server, never from the page
    assert draft.departments == ("ASC",)
    # a name the page could send but the store refuses comes back as a message
    r = _post(client, dash_app, "scenarios-save-message", [1], ["", "?change=LUNCH:-40pct"])
    assert "Give the draft a name" in json.dumps(_ok(r)["response"])
    # the saved draft opens by its reference, and publishes
    with dash_app.server.test_request_context(PAGE_VIEW[0], method=PAGE_VIEW[1]):
        text = str(mod.layout(scenario=draft.ref))
    assert "scenarios-net-ASC-y1" in text
    r = _post(client, dash_app, "scenarios-publish-message", [1], [draft.ref])
    assert "Published" in json.dumps(_ok(r)["response"])
    assert store.get(DEMO_USER, draft.draft_id).status == "published"


def test_roles_are_checked_on_the_server(client, dash_app, drafts_file, tmp_path, monkeypatch):
    users = tmp_path / "users.yaml"
    users.write_text(textwrap.dedent("""
        users:
          - {name: a.viewer, role: viewer}
          - {name: c.director, role: director, departments: [CSC]}
          - {name: a.director, role: director, departments: [ASC]}
    """), encoding="utf-8")
    monkeypatch.setenv("AUTH_MODE", "header")
    monkeypatch.setenv("AUTH_USERS_FILE", str(users))
    client.get("/")
    save = ["mine", "?change=LUNCH:-40pct"]
    viewer = {"X-Remote-User": "a.viewer"}
    assert _ok(_post(client, dash_app, "scenarios-save-message", [1], save, viewer)) is None
    nobody = {"X-Remote-User": "not.in.the.file"}
    assert _ok(_post(client, dash_app, "scenarios-save-message", [1], save, nobody)) is None
    assert _ok(_post(client, dash_app, "scenarios-add-message", [1],
                     ["LUNCH", "percent", -1, ""], nobody)) is None
    other = {"X-Remote-User": "c.director"}
    r = _post(client, dash_app, "scenarios-save-message", [1], save, other)
    assert "their own departments" in json.dumps(_ok(r)["response"])  # ASC is not theirs
    own = {"X-Remote-User": "a.director"}
    assert "Saved" in json.dumps(_ok(_post(client, dash_app, "scenarios-save-message", [1],
                                           save, own))["response"])
    # a director cannot publish, even a draft they can see
    assert _ok(_post(client, dash_app, "scenarios-publish-message", [1], ["draft:1"],
                     own)) is None
    # the CSC director cannot open or compare the ASC director's draft
    r = _post(client, dash_app, "scenarios-compare-message", [1],
              [["draft:1"], "?scenario=close-luncheon-clubs"], other)
    assert _ok(r) is None


def test_scenario_csv_download(client, drafts_file):
    r = client.get("/download/scenario.csv?scenario=close-luncheon-clubs")
    assert r.status_code == 200
    head = r.get_data(as_text=True).splitlines()[0]
    assert head.startswith("payer_code,payer,is_council,year,direct_saving_gbp")
    assert client.get("/download/scenario.csv?change=LUNCH:-100pct").status_code == 200
    for bad in ("?change=NOSUCH:-1pct", "?scenario=nope", "?change=LUNCH:-900pct", ""):
        assert client.get("/download/scenario.csv" + bad).status_code == 400, bad


# ---- public mode: no planner -------------------------------------------------------------

def test_public_mode_has_no_planner_route_callbacks_or_download(warehouse_file, tmp_path):
    code = textwrap.dedent("""
        import json, dash
        from dashboard.factory import create_app
        app = create_app()
        c = app.server.test_client()
        c.get("/")
        def view(path):
            body = {"output": "%s",
                    "outputs": [{"id": "_pages_content", "property": "children"},
                                {"id": "_pages_store", "property": "data"}],
                    "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                               {"id": "_pages_location", "property": "search", "value": ""}],
                    "changedPropIds": ["_pages_location.pathname"]}
            r = c.post("/_dash-update-component", data=json.dumps(body),
                       content_type="application/json")
            return r.status_code, r.get_data(as_text=True)
        spill = view("/spillover")
        planner = view("/scenarios")
        print(json.dumps({
            "spillover": [spill[0], "Observed association, not evidence of cause" in spill[1],
                          "spillover-sankey-graph" in spill[1]],
            "planner": [planner[0], "scenarios-years-table" in planner[1],
                        "scenarios-add" in planner[1]],
            "paths": [p["path"] for p in dash.page_registry.values()],
            "callbacks": [k for k in app.callback_map if "scenarios" in k],
            "download": c.get("/download/scenario.csv?scenario=close-luncheon-clubs")
                         .status_code,
        }))
    """) % PAGES_OUTPUT
    env = {**os.environ, "DASHBOARD_MODE": "public", "WAREHOUSE_PATH": str(warehouse_file),
           "DRAFTS_PATH": str(tmp_path / "d.sqlite3")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))),
                         timeout=120, check=True)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert "/scenarios" not in got["paths"] and "/spillover" in got["paths"]
    assert got["callbacks"] == []
    assert got["download"] == 404
    assert got["spillover"] == [200, True, True]  # the spill-over page is public
    assert got["planner"][1:] == [False, False]  # /scenarios is the not-found page
    assert not (tmp_path / "d.sqlite3").exists()


# ---- the spill-over page (public and internal) -------------------------------------------

def _csv(client, url):
    import io

    import pandas as pd

    r = client.get(url)
    assert r.status_code == 200, url
    return pd.read_csv(io.BytesIO(r.data))


def test_spillover_links_csv_is_the_sankey_table_with_evidence(client, wh):
    links = _csv(client, "/download/spillover-links.csv?area=")
    assert len(links) == int(wh("select count(*) from spillover_link").iloc[0, 0])
    assert set(links["evidence_grade"]) <= {"high", "moderate", "low", "very low"}
    assert links["source"].notna().all() and (links["source"].str.len() > 5).all()
    # hand-worked: LUNCH's spend buys spend / £276.29 places; each place-year avoids
    # 0.06 x (1 - 0.77) falls admissions at £5,400 (high grade: all kept), every year for
    # five years discounted at 3.5% from year 2
    spend = float(wh("select spend_gbp from mart_spend_service_year where service_code = "
                     "'LUNCH' and financial_year = '2024/25'").iloc[0, 0])
    cost = float(wh("select activity_unit_cost_gbp from spillover_link "
                    "where link_id = 'LUNCH-FALLADM'").iloc[0, 0])
    per_year = spend / cost * 0.06 * (1 - 0.77) * 5400
    discount = sum(1.035 ** -t for t in range(5))
    row = links.set_index("link_id").loc["LUNCH-FALLADM"]
    assert row["saving_over_5_years_gbp"] == pytest.approx(per_year * discount, abs=1)
    assert row["saving_lower95_gbp"] < row["saving_over_5_years_gbp"] < row[
        "saving_upper95_gbp"]
    assert row["evidence_grade"] == "high" and "Cochrane" in row["source"]


def test_spillover_area_keeps_its_services_with_their_shares(client, wh):
    older = _csv(client, "/download/spillover-links.csv?area=OLDER")
    shares = wh("select service_code, share from service_allocation where area_code = 'OLDER'")
    modelled = set(wh("select service_code from spillover_link")["service_code"])
    assert set(older["service_code"]) == set(shares["service_code"]) & modelled
    whole = _csv(client, "/download/spillover-links.csv?area=").set_index("link_id")
    falls = older.set_index("link_id").loc["FALLS-FALLADM"]
    assert falls["spend_modelled_gbp"] == pytest.approx(
        0.8 * whole.loc["FALLS-FALLADM", "spend_modelled_gbp"], abs=1)
    for bad in ("NOPE", "OLDER'--", "x" * 500):
        assert client.get(f"/download/spillover-links.csv?area={bad}").status_code == 400
        assert client.get(f"/download/spillover-matrix.csv?area={bad}").status_code == 400


def test_spillover_matrix_is_pounds_per_pound_from_the_model(client, wh):
    from queries.runner import QUERIES

    matrix = _csv(client, "/download/spillover-matrix.csv?area=")
    assert {"funding_department", "effect_on", "evidence_grades", "sources"} <= set(
        matrix.columns)
    links, costs, payers = (wh(QUERIES[n].sql) for n in ("spillover_links", "unit_costs",
                                                          "payers"))
    # per £1 a year on luncheon clubs alone, the NHS hospital saving (lag 0, no drop-off)
    # is the same every year: (0.06 x 0.23 x £5,400 + 0.15 x 0.39 x £200 x 63%) / £276.29
    cost = float(links.set_index("link_id").at["LUNCH-FALLADM", "activity_unit_cost_gbp"])
    by_service = sp.payer_matrix(links, costs, payers, {"LUNCH": "ASC"}, by="service")
    want = (0.06 * 0.23 * 5400 + 0.15 * 0.39 * 200 * 0.7 * 0.9) / cost
    assert by_service.at["LUNCH", "NHS-ACUTE"] == pytest.approx(want, rel=1e-9)
    row = matrix[(matrix["funding_department"] == "Community Safety")
                 & (matrix["effect_on"] == "Police")].iloc[0]
    youth = sp.payer_matrix(links, costs, payers, {"YOUTH": "COMMSAFE"})
    assert row["saving_per_pound_spent_gbp"] == pytest.approx(
        youth.at["COMMSAFE", "POLICE"], abs=5e-4)
    assert "YOUTH-CRIME: low" in row["evidence_grades"]


def test_spillover_observed_csv_is_labelled_and_matches_the_warehouse(client, wh):
    obs = _csv(client, "/download/spillover-observed.csv?pair=LUNCH-22401")
    assert (obs["status"] == "observed association, not evidence of cause").all()
    falls = wh("select period, numerator from indicator_value where indicator_id = 22401 "
               "and geo_code = 'E09000999' and sex = 'Persons' and category = ''")
    want = dict(falls.itertuples(index=False))
    for r in obs.itertuples():
        assert r.count_year_after == want[r.year_after]
    assert client.get("/download/spillover-observed.csv?pair=NOPE-1").status_code == 400


def test_spillover_page_words_and_an_unknown_area(dash_app):
    entry = next(p for p in dash.page_registry.values() if p["path"] == "/spillover")
    page = sys.modules[entry["module"]]
    with dash_app.server.test_request_context(PAGE_VIEW[0], method=PAGE_VIEW[1]):
        text = str(page.layout(area="NOPE"))
        assert "There is no investment area “NOPE”" in text
        assert "modelled effects, not measured ones" in text
        assert "Observed association, not evidence of cause" in text
        assert "spillover-sankey-graph" in text and "spillover-matrix-graph" in text


def test_a_service_without_links_counts_its_direct_effect_only(client):
    """WASTE has no evidence links: cutting it is a direct saving, with no knock-on effect."""
    r = client.get("/download/scenario.csv?change=WASTE:-10pct")
    assert r.status_code == 200
    import io

    import pandas as pd

    frame = pd.read_csv(io.StringIO(r.get_data(as_text=True)))
    assert frame["knock_on_saving_gbp"].abs().sum() == 0
    assert frame["knock_on_upper95_gbp"].abs().sum() == 0
    assert frame["direct_saving_gbp"].max() > 0
    lunch = pd.read_csv(io.StringIO(client.get("/download/scenario.csv?change=LUNCH:-10pct")
                                    .get_data(as_text=True)))
    assert lunch["knock_on_saving_gbp"].abs().sum() > 0  # the column does carry knock-ons
