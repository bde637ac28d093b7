"""The scenario planner in process: the URL format, the luncheon-club story, the cache, the
forms against forged POSTs, CSRF and role checks, and that public mode has no planner at all."""

from __future__ import annotations

import re
import sys
import textwrap

import dash
import pytest

from dashboard.auth import DEMO_USER
from drafts import store as drafts_store
from indicators import spillover as sp
from tests.dashboard.public_mode import run_public


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


PAGE_VIEW = ("/scenarios", "GET")  # the page's own request: it is rendered on the server
PAGES_OUTPUT = ".._pages_content.children..._pages_store.data.."  # Dash Pages' router


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


def test_page_with_a_junk_query_answers_without_a_traceback(client, drafts_file):
    for search in ("?change=LUNCH:-100pct", "?change=%ZZ%00", "?change=" + "9" * 3000,
                   "?scenario=../../etc/passwd", "?compare=x&compare=y&compare=z&compare=w",
                   "?change=LUNCH:-50pct&change=LUNCH:-60pct", "?change=" + "&change=x" * 50):
        r = client.get("/scenarios" + search)
        assert r.status_code == 200, (search, r.status_code)
        text = r.get_data(as_text=True)
        assert "Traceback" not in text and 'File "' not in text
        assert "Scenario planner" in text


# ---- the luncheon-club story -------------------------------------------------------------

def test_luncheon_club_scenario_tells_the_story(mod, plan):
    scenario = plan.published["close-luncheon-clubs"]
    assert scenario.changes == (mod.Change("LUNCH", "percent", -100.0),)
    view = mod.model_run(scenario, plan)["view"]
    assert view["settings"] == {"years": 5, "draws": 10_000, "seed": sp.DEFAULT_SEED,
                                "discount_rate": 0.035, "price_years": ["2024/25"],
                                "persistence": "sustained", "central": "median"}
    payers = {p["payer_code"]: p for p in view["payers"]}
    spend = float(plan.services.at["LUNCH", "spend_gbp"])
    # year 1: the council (ASC) saves the whole spend; no knock-on lands on it yet
    assert payers["ASC"]["years"][0]["net"]["central"] == pytest.approx(spend)
    # the NHS pays more, every year, and is sure to
    for payer in ("NHS-ACUTE", "NHS-PC"):
        assert all(y["net"]["central"] < 0 for y in payers[payer]["years"])
    assert payers["NHS-ACUTE"]["p_net_saving"] == 0.0
    assert payers["NHS-ACUTE"]["p_net_saving_text"] == "<1%"
    # by year 3 the council's own knock-on costs are a large share of its saving
    y3 = payers["ASC"]["years"][2]
    assert -y3["knock_on"] > 0.5 * y3["direct"]
    # and the public purse is more likely to lose than to gain over five years
    assert view["public_purse"]["p_net_saving"] < 0.5
    words = mod.headline(scenario, view)
    assert words.startswith("Close the luncheon clubs: In year 1 the council saves £116k")
    assert "NHS hospital care pays" in words and "knock-on costs" in words
    assert "probability" in words and "medians" in words
    # the tied links say so in the evidence table
    assert {r["link_id"]: r["tied_event"] for r in view["links"]}["LUNCH-AE"] == "falls"


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
    view = mod.model_run(plan.published["close-luncheon-clubs"], plan)["view"]
    got = {p["payer_code"]: (p["net_5y"]["central"], p["net_5y"]["low"], p["net_5y"]["high"],
                             p["p_net_saving"]) for p in view["payers"]}
    links, costs, payers, funders, spend = _direct_inputs(wh)
    direct = sp.simulate(links, costs, payers, {"LUNCH": -spend}, funders=funders,
                         draws=10_000, seed=sp.DEFAULT_SEED)
    cols = ["net_saving_gbp", "net_saving_p2_5_gbp", "net_saving_p97_5_gbp", "prob_net_saving"]
    want = direct.by_payer.set_index("payer_code")[cols]
    for code, values in got.items():
        assert values == pytest.approx(tuple(want.loc[code]), rel=1e-9, abs=1e-6)
    # in the tables' own row order the draws are the same (taken in key order)
    links, costs, payers, funders, spend = _direct_inputs(wh, natural_order=True)
    other = sp.simulate(links, costs, payers, {"LUNCH": -spend}, funders=funders,
                        draws=10_000)
    central = other.by_payer.set_index("payer_code")["net_saving_gbp"]
    for code, values in got.items():
        assert values[0] == pytest.approx(central[code], abs=1e-6)


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


def test_no_other_page_carries_the_planner_or_its_drafts(mod, dash_app, drafts_file):
    """Dash can embed every page's no-argument layout (its validation layout) in each page's
    HTML; the app turns that off, so no other page carries the planner's ids, drafts or
    figures. The planner itself shows the user's own drafts, rendered for them alone."""
    drafts_store.DraftStore(drafts_file).save(DEMO_USER, "Secret option", [
        drafts_store.Change("LUNCH", "percent", -10.0)], ["ASC"])
    client = dash_app.server.test_client()
    for path in ("/", "/area/OLDER", "/director"):
        html_text = client.get(path, headers={"Accept-Encoding": "identity"}).get_data(True)
        assert "validation_layout" not in html_text, path
        assert "Secret option" not in html_text and mod.PUBLISH_PICK not in html_text, path
    dash_index = client.get("/director", headers={"Accept-Encoding": "identity"}).get_data(True)
    assert "react-entry-point" in dash_index and len(dash_index) < 20_000
    r = client.get("/scenarios", headers={"Accept-Encoding": "identity"})
    assert "Secret option" in r.get_data(True) and r.headers["Cache-Control"] == "private, no-store"


# ---- the forms: forged POSTs, CSRF and roles ----------------------------------------------

def _token(client, headers=None) -> str:
    page = client.get("/scenarios", headers=headers or {}).get_data(as_text=True)
    return re.search(r'value="([^"]+)" name="csrf_token"', page)[1]


def _submit(client, action: str, headers=None, token: str | None = None, **fields):
    """POST one of the planner's forms as the browser does; returns (redirect, next page)."""
    body = {"csrf_token": token or _token(client, headers), "action": action, **fields}
    r = client.post("/scenarios", data=body, headers=headers or {})
    assert r.status_code == 303, (r.status_code, r.data[:300])
    assert r.location.startswith("/scenarios")
    page = client.get(r.location, headers=headers or {})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Traceback" not in text and 'File "' not in text
    return r.location, text


def _alerts(text: str, slot: str) -> str:
    return text.split(f'id="{slot}"', 1)[1].split("</div></div>", 1)[0]


OFF_LIST_ADD = [
    ("NOSUCH", "percent", "-10"), ("'; drop table service; --", "percent", "-10"),
    ("LUNCH", "bogus", "-10"), ("LUNCH", "percent", "nan"), ("LUNCH", "percent", "1e400"),
    ("LUNCH", "percent", "-10; drop"), ("LUNCH", "percent", ""),
]


def test_forged_add_change_with_off_list_values_changes_nothing(client, drafts_file, mod):
    for service, kind, value in OFF_LIST_ADD:
        where, text = _submit(client, "add", service=service, kind=kind, value=value,
                              **{"from": "change=FALLS:10pct"})
        assert where == "/scenarios?change=FALLS:10pct#scenarios-add-message", service
        assert "alert-warning" in _alerts(text, mod.ADD_MSG), (service, kind, value)
    # a broken "from" starts afresh rather than carrying anything forward
    where, _ = _submit(client, "add", service="LUNCH", kind="percent", value="-10",
                       **{"from": "change=" + "9" * 10_000})
    assert where == "/scenarios?change=LUNCH:-10pct#scenarios-add-message"
    where, text = _submit(client, "teleport", **{"from": "change=FALLS:10pct"})
    assert where == "/scenarios?change=FALLS:10pct#scenarios-page-message"
    assert "not known" in _alerts(text, "scenarios-page-message")


def test_add_change_moves_to_the_new_url_and_explains_bounds(client, drafts_file, mod):
    where, text = _submit(client, "add", service="LUNCH", kind="percent", value="-50",
                          **{"from": "change=FALLS:10pct&compare=close-luncheon-clubs"})
    assert where == ("/scenarios?change=FALLS:10pct,LUNCH:-50pct&compare=close-luncheon-clubs"
                     "#scenarios-add-message")
    assert "Added LUNCH:-50pct." in _alerts(text, mod.ADD_MSG)
    where, text = _submit(client, "add", service="LUNCH", kind="percent", value="-500",
                          **{"from": "change=FALLS:10pct"})
    assert where == "/scenarios?change=FALLS:10pct#scenarios-add-message"  # stays put
    assert "between −100% and +500%" in _alerts(text, mod.ADD_MSG)


def test_a_post_without_a_valid_csrf_token_does_nothing(client, drafts_file):
    _token(client)  # this browser has a session
    another = client.application.test_client()  # another browser, with its own session
    for who, token in ((client, ""), (client, "forged"), (client, _token(client) + "x"),
                       (another, _token(client)), (client.application.test_client(), "")):
        r = who.post("/scenarios", data={"csrf_token": token, "action": "save",
                                         "name": "Sneaky", "from": "change=LUNCH:-40pct"})
        text = r.get_data(as_text=True)
        assert r.status_code == 400 and "Nothing was done" in text
        assert 'href="/scenarios?change=LUNCH:-40pct"' in text  # back to the scenario
        assert r.headers["Cache-Control"] == "private, no-store"
        assert "Set-Cookie" not in r.headers  # no new session for a cross-site POST
    assert drafts_store.DraftStore(drafts_file).visible(DEMO_USER) == []


def test_a_refused_form_comes_back_as_the_reader_left_it(client, drafts_file, mod):
    where, text = _submit(client, "add", service="FALLS", kind="amount", value="-99999999",
                          **{"from": "change=LUNCH:-10pct"})
    assert where == "/scenarios?change=LUNCH:-10pct#scenarios-add-message"
    assert "alert-warning" in _alerts(text, mod.ADD_MSG)
    assert '<option value="FALLS" selected>' in text
    assert 'value="amount" name="kind" checked' in text
    assert 'value="-99999999"' in text and 'aria-invalid="true"' in text
    assert 'id="scenarios-add-message" tabindex="-1"' in text  # where the browser lands
    # the next view starts afresh
    text = client.get(where).get_data(as_text=True)
    assert 'aria-invalid' not in text and '<option value="LUNCH" selected>' in text
    _, text = _submit(client, "save", name="x" * 81, **{"from": "change=LUNCH:-10pct"})
    assert "at most 80 characters" in _alerts(text, mod.SAVE_MSG)
    _, text = _submit(client, "save", name="  ", **{"from": "change=LUNCH:-10pct"})
    assert 'id="scenarios-draft-name"' in text and 'value="  "' in text


def test_planner_pages_are_never_stored_on_the_way(client, drafts_file):
    r = client.get("/scenarios?scenario=close-luncheon-clubs")
    assert r.headers["Cache-Control"] == "private, no-store"
    # a page the same for every reader is still for signed-in staff only (issue 16)
    assert client.get("/area/OLDER").headers.get("Cache-Control") == "private, no-store"


def test_forged_publish_and_compare_values_change_nothing(client, drafts_file, mod):
    for ref in ("draft:999999", "1 or 1=1", "close-luncheon-clubs", ""):
        _, text = _submit(client, "publish", draft=ref)
        assert "not one this form offers" in _alerts(text, mod.PUBLISH_MSG), ref
    for picked in (["nope"], ["draft:999999"], ["close-luncheon-clubs"] * 3 + ["'; --"]):
        where, text = _submit(client, "compare", compare=picked,
                              **{"from": "scenario=close-luncheon-clubs"})
        assert where == "/scenarios?scenario=close-luncheon-clubs#scenarios-compare-message"
        assert "not one this form offers" in _alerts(text, mod.COMPARE_MSG), picked
    where, text = _submit(client, "compare", compare=["expand-falls-prevention"],
                          **{"from": "scenario=close-luncheon-clubs"})
    assert where == ("/scenarios?scenario=close-luncheon-clubs&compare=expand-falls-prevention"
                     "#scenarios-compare-message")
    assert mod.COMPARE_BLOCK in text


def test_save_and_publish_a_draft_through_the_forms(client, drafts_file, mod):
    _, text = _submit(client, "save", name="x'); drop table drafts;--",
                      **{"from": "change=LUNCH:-40pct"})
    assert "Saved" in _alerts(text, mod.SAVE_MSG)
    store = drafts_store.DraftStore(drafts_file)
    [draft] = store.visible(DEMO_USER)
    assert draft.name == "x'); drop table drafts;--"  # stored literally
    assert draft.owner == DEMO_USER.name  # from the server, never from the page
    assert draft.departments == ("ASC",)
    # a name the page could send but the store refuses comes back as a message
    _, text = _submit(client, "save", name="", **{"from": "change=LUNCH:-40pct"})
    assert "Give the draft a name" in _alerts(text, mod.SAVE_MSG)
    # the saved draft opens by its reference, and publishes
    text = client.get(f"/scenarios?scenario={draft.ref}").get_data(as_text=True)
    assert "scenarios-net-ASC-y1" in text
    _, text = _submit(client, "publish", draft=draft.ref)
    assert "Published" in _alerts(text, mod.PUBLISH_MSG)
    assert store.get(DEMO_USER, draft.draft_id).status == "published"


def test_roles_are_checked_on_the_server(client, drafts_file, tmp_path, monkeypatch, mod):
    users = tmp_path / "users.yaml"
    users.write_text(textwrap.dedent("""
        users:
          - {name: a.viewer, role: viewer}
          - {name: c.director, role: director, departments: [CSC]}
          - {name: a.director, role: director, departments: [ASC]}
    """), encoding="utf-8")
    monkeypatch.setenv("AUTH_MODE", "header")
    monkeypatch.setenv("AUTH_USERS_FILE", str(users))
    save = {"name": "mine", "from": "change=LUNCH:-40pct"}
    store = drafts_store.DraftStore(drafts_file)
    viewer = {"X-Remote-User": "a.viewer"}
    _, text = _submit(client, "save", viewer, **save)
    assert "can save drafts" in _alerts(text, mod.SAVE_MSG)
    nobody = {"X-Remote-User": "not.in.the.file"}  # (served, sign-in refuses them first)
    r = client.post("/scenarios", data={"csrf_token": _token(client, viewer), "action": "save",
                                        **save}, headers=nobody)
    # 400: the viewer's form token is not this user's (tokens are bound to the user)
    assert r.status_code in (303, 400, 401) and store.visible(DEMO_USER) == []
    other = {"X-Remote-User": "c.director"}
    _, text = _submit(client, "save", other, **save)
    assert "their own departments" in _alerts(text, mod.SAVE_MSG)  # ASC is not theirs
    own = {"X-Remote-User": "a.director"}
    _, text = _submit(client, "save", own, **save)
    assert "Saved" in _alerts(text, mod.SAVE_MSG)
    [draft] = store.visible(type("U", (), {"name": "a.director", "role": "director",
                                           "departments": frozenset({"ASC"})})())
    # a director cannot publish, even a draft they can see
    _, text = _submit(client, "publish", own, draft=draft.ref)
    assert "Cabinet members and admins" in _alerts(text, mod.PUBLISH_MSG)
    assert draft.status == "draft"
    # the CSC director cannot open or compare the ASC director's draft
    _, text = _submit(client, "compare", other, compare=[draft.ref],
                      **{"from": "scenario=close-luncheon-clubs"})
    assert "not one this form offers" in _alerts(text, mod.COMPARE_MSG)
    text = client.get(f"/scenarios?scenario={draft.ref}", headers=other).get_data(as_text=True)
    assert f"There is no draft {draft.draft_id} that you may see" in text


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
            "get": c.get("/scenarios").status_code,
            "post": c.post("/scenarios", data={"action": "save", "name": "x"}).status_code,
        }))
    """) % PAGES_OUTPUT
    got = run_public(code, warehouse_file, tmp_path / "d.sqlite3")
    assert "/scenarios" not in got["paths"] and "/spillover" in got["paths"]
    assert got["callbacks"] == []
    assert got["download"] == 404
    assert got["get"] == 404 and got["post"] in (404, 405)
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
    from dashboard.components import spillover_inputs

    with client.application.test_request_context("/spillover"):
        inputs = spillover_inputs()
    res = sp.simulate(inputs.links, inputs.unit_costs, inputs.payers, {"LUNCH": spend},
                      funders=inputs.funders)
    model = res.by_link.set_index("link_id").loc["LUNCH-FALLADM"]
    assert model["spillover_saving_point_gbp"] == pytest.approx(per_year * discount, abs=1)
    assert row["saving_over_5_years_gbp"] == pytest.approx(model["spillover_saving_gbp"], abs=1)
    assert model["spillover_saving_gbp"] > per_year * discount
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


def test_the_url_says_sustained_or_one_off_and_the_page_follows(mod, ctx, plan, drafts_file):
    user = _user(mod)
    scenario, _, errors = mod.read_query({"change": "FALLS:50pct", "persist": "oneoff"}, plan,
                                         user)
    assert errors == [] and scenario.persistence == "oneoff"
    assert mod.search_for(scenario.changes, persistence="oneoff") == (
        "?change=FALLS:50pct&persist=oneoff")
    assert mod.search_for(scenario.changes) == "?change=FALLS:50pct"  # sustained: the default
    once = mod.model_run(scenario, plan)["view"]
    every = mod.model_run(scenario._replace(persistence="sustained"), plan)["view"]
    assert once["settings"]["persistence"] == "oneoff"
    assert once["council"]["direct_5y"] > every["council"]["direct_5y"]  # spent once, not 5x
    text = str(mod.layout(change="FALLS:50pct", persist="oneoff"))
    assert "Modelled as a one-off change (one year only)" in text
    assert "persist=oneoff" in text  # the share link and the JSON link keep it
    _, _, errors = mod.read_query({"change": "FALLS:50pct", "persist": "forever"}, plan, user)
    assert errors and "persist=sustained" in errors[0]


def test_an_unlinked_statutory_cut_is_unknown_and_warned_about_on_the_page(mod, ctx,
                                                                          drafts_file):
    text = str(mod.layout(change="RESCARE:-1000000"))
    assert "Knock-on effects unknown" in text
    assert "statutory, demand-led service" in text
    assert "not given" in text and "100%" not in text
