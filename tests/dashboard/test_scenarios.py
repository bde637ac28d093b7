"""The scenario planner's view functions in process (``dashboard.views.scenarios`` and
``scenario_run``): the URL format, the controls, the luncheon-club story, the cache; its CSV;
and that public mode has no planner at all. The live page and its callbacks: tests/staff."""

from __future__ import annotations

import pytest

from dashboard.views import scenario_run as run
from dashboard.views import scenarios as views
from drafts.store import Change
from indicators import spillover as sp


@pytest.fixture()
def drafts_file(tmp_path, monkeypatch):
    path = tmp_path / "drafts.sqlite3"
    monkeypatch.setenv("DRAFTS_PATH", str(path))
    return path


@pytest.fixture()
def ctx(app):
    with app.test_request_context("/staff/scenarios"):
        yield


@pytest.fixture()
def plan(ctx):
    return views.planner()


@pytest.fixture()
def user(ctx):
    from dashboard import auth

    return auth.current_user()


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
def test_good_changes_parse_to_one_canonical_form(plan, user, raw, canonical):
    scenario, others, errors = views.read_query({"change": raw}, plan, user)
    assert errors == []
    assert views.search_for(scenario.changes) == canonical
    # the canonical form reads back to the same scenario
    again, _, _ = views.read_query({"change": canonical.split("=", 1)[1]}, plan, user)
    assert again.changes == scenario.changes


@pytest.mark.parametrize(("query", "words"), [
    ({"change": "NOSUCH:-10pct"}, "There is no service “NOSUCH”"),
    ({"change": "NOPE:-10pct"}, "There is no service"),
    ({"change": "LUNCH:-1000000"}, "more than its whole spend"),
    ({"change": "FALLS:200m"}, "at most £100m"),
    ({"change": "FALLS:999999999999"}, "at most £100m"),
    ({"change": "LUNCH:-101pct"}, "between −100% and +500%"),
    ({"change": "LUNCH:501pct"}, "between −100% and +500%"),
    ({"change": "LUNCH:0"}, "changes nothing"),
    ({"change": "LUNCH:0pct"}, "changes nothing"),
    ({"change": "LUNCH:100m"}, "more than 500% of its spend"),  # £116k a year today
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
def test_bad_links_are_refused_with_a_message(plan, user, drafts_file, query, words):
    scenario, others, errors = views.read_query(query, plan, user)
    assert any(words in e for e in errors), errors
    if "compare" not in query:
        assert scenario is None
    for e in errors:
        assert "Traceback" not in e and "<script>" not in e
        assert len(e) < 400


# ---- the luncheon-club story -------------------------------------------------------------

def test_luncheon_club_scenario_tells_the_story(plan):
    scenario = plan.published["close-luncheon-clubs"]
    assert scenario.changes == (Change("LUNCH", "percent", -100.0),)
    view = run.model_run(scenario, plan)["view"]
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
    words = run.headline(scenario, view)
    assert words.startswith("Close the luncheon clubs: In year 1 the council spends £116k less")
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


def test_result_matches_a_direct_call_of_the_model(plan, wh):
    view = run.model_run(plan.published["close-luncheon-clubs"], plan)["view"]
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


def test_year_table_has_every_payer_year_and_totals(plan):
    table = run.model_run(plan.published["close-luncheon-clubs"], plan)["years"]
    assert set(table["payer_code"]) == {"ASC", "NHS-ACUTE", "NHS-PC", "council",
                                        "public_purse"}
    assert table.groupby("payer_code").size().eq(6).all()  # 5 years + the total
    nhs = table[(table["payer_code"] == "NHS-ACUTE")]
    assert (nhs["knock_on_lower95_gbp"] <= nhs["knock_on_saving_gbp"]).all()
    assert (nhs["knock_on_saving_gbp"] <= nhs["knock_on_upper95_gbp"]).all()


def test_repeat_views_come_from_the_cache(plan, monkeypatch):
    scenario = views.Scenario("", "t", "", "unsaved", (Change("FALLS", "percent", 13.0),))
    first = run.model_run(scenario, plan)
    calls = []
    monkeypatch.setattr(sp, "simulate", lambda *a, **k: calls.append(1))
    second = run.model_run(scenario, plan)
    assert calls == []
    assert second["years"].equals(first["years"])
    # the key is the warehouse version and the £ changes, so 13% and its £ are one entry
    pounds = dict(views.amounts(scenario.changes, plan))["FALLS"]
    same = views.Scenario("", "t", "", "unsaved", (Change("FALLS", "amount", pounds),))
    assert run.model_run(same, plan)["years"].equals(first["years"])
    assert calls == []


# ---- the live planner's controls ---------------------------------------------------------

def test_controls_give_checked_changes_or_say_what_is_wrong(plan):
    changes, notes = views.changes_from_controls(
        [("LUNCH", "percent", -50), ("FALLS", "amount", 20000.5)], plan)
    assert changes == (Change("FALLS", "amount", 20000.5), Change("LUNCH", "percent", -50.0))
    assert notes == []
    # a row being typed (no number yet) or out of bounds: left out, with a message
    changes, notes = views.changes_from_controls(
        [("LUNCH", "percent", None), ("FALLS", "percent", 600)], plan)
    assert changes == () and len(notes) == 2
    assert "Give a number for Luncheon" in notes[0] and "between −100% and +500%" in notes[1]


@pytest.mark.parametrize("rows", [
    "LUNCH", [("NOPE", "percent", 1)], [("LUNCH", "pounds", 1)], [("LUNCH", "percent", "1")],
    [("LUNCH", "percent", True)], [("LUNCH", "percent", 1), ("LUNCH", "amount", 2)],
    [("LUNCH", "percent")], [["LUNCH"], "percent", 1], [("LUNCH", "percent", 1)] * 21,
])
def test_forged_controls_are_refused(plan, rows):
    with pytest.raises(ValueError):
        views.changes_from_controls(rows, plan)


def test_the_url_says_sustained_or_one_off(plan, user, drafts_file):
    scenario, _, errors = views.read_query({"change": "FALLS:50pct", "persist": "oneoff"},
                                           plan, user)
    assert errors == [] and scenario.persistence == "oneoff"
    assert views.search_for(scenario.changes, persistence="oneoff") == (
        "?change=FALLS:50pct&persist=oneoff")
    assert views.search_for(scenario.changes) == "?change=FALLS:50pct"  # sustained: default
    assert views.search_for(persistence="oneoff") == ""  # no scenario, no link
    once = run.model_run(scenario, plan)["view"]
    every = run.model_run(scenario._replace(persistence="sustained"), plan)["view"]
    assert once["settings"]["persistence"] == "oneoff"
    assert once["council"]["direct_5y"] > every["council"]["direct_5y"]  # spent once, not 5x
    _, _, errors = views.read_query({"change": "FALLS:50pct", "persist": "forever"}, plan,
                                    user)
    assert errors and "persist=sustained" in errors[0]


def test_compare_rows_set_scenarios_side_by_side(plan):
    runs = [(s, run.model_run(s, plan)["view"]) for s in plan.published.values()]
    rows = run.compare_rows(runs)
    assert rows["Changes"] == ["LUNCH:-100pct", "FALLS:50pct"]
    for label in ("Council: year 1", "Public purse: 5 years (95% interval)",
                  "Public purse: chance of a net saving", "NHS hospital care: 5 years"):
        assert len(rows[label]) == 2, label
    purse = runs[0][1]["public_purse"]["net_5y"]["central"]
    assert rows["Public purse: 5 years (95% interval)"][0].startswith(
        run.money_signed(purse))


def test_probability_rows_name_every_payer_moved(plan):
    view = run.model_run(plan.published["close-luncheon-clubs"], plan)["view"]
    rows = run.probability_rows(view)
    assert [r[2] for r in rows][:2] == ["public_purse", "council"]
    assert {r[2] for r in rows[2:]} == {"ASC", "NHS-ACUTE", "NHS-PC"}
    for _, chance, code, words in rows:
        scope = view[code] if code in ("public_purse", "council") else next(
            p for p in view["payers"] if p["payer_code"] == code)
        assert chance == scope["p_net_saving_text"] and scope["likelihood"] in words


def test_an_unlinked_statutory_cut_is_unknown_and_said_so(plan):
    scenario = views.Scenario("", "t", "", "unsaved", (Change("RESCARE", "amount",
                                                               -1_000_000.0),))
    view = run.model_run(scenario, plan)["view"]
    assert run.headline(scenario, view).startswith("t: Knock-on effects unknown")  # first
    assert any("statutory, demand-led service" in w for w in view["warnings"])
    rows = run.probability_rows(view)
    assert all("not given" in words for _, _, _, words in rows[:2])


def test_scenario_csv_download(client, drafts_file):
    r = client.get("/download/scenario.csv?scenario=close-luncheon-clubs")
    assert r.status_code == 200
    head = r.get_data(as_text=True).splitlines()[0]
    assert head.startswith("payer_code,payer,is_council,year,direct_saving_gbp")
    assert client.get("/download/scenario.csv?change=LUNCH:-100pct").status_code == 200
    for bad in ("?change=NOSUCH:-1pct", "?scenario=nope", "?change=LUNCH:-900pct", ""):
        assert client.get("/download/scenario.csv" + bad).status_code == 400, bad


# ---- public mode: no planner -------------------------------------------------------------

def test_public_mode_has_no_planner_route_callbacks_or_download(public_app):
    c = public_app.test_client()
    for path in ("/staff/scenarios", "/staff/_dash-layout", "/scenarios", "/director",
                 "/download/scenario.csv?scenario=close-luncheon-clubs"):
        assert c.get(path).status_code == 404, path
    assert c.post("/staff/_dash-update-component", json={}).status_code in (404, 405)
    assert "staff_dash" not in public_app.extensions


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
    from dashboard.views.format import spillover_inputs

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
