"""The scenario planner and the spill-over page in Chromium: the luncheon-club scenario opened
from a URL shows each payer's amounts and the probability of a net saving, equal to a direct
call of the model; the Sankey and its table; no serious axe violations; no console errors."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from dashboard.views.format import money_signed
from dashboard.views.scenario_results import probability_text as probability
from indicators import spillover as sp
from tests.conftest import start_gunicorn, stop

pytestmark = pytest.mark.browser

SERIOUS = {"serious", "critical"}
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture(scope="module")
def server(warehouse_file, tmp_path_factory):
    """The internal app with its own draft file, so saving in a test touches nothing else."""
    drafts = tmp_path_factory.mktemp("drafts") / "drafts.sqlite3"
    proc, url = start_gunicorn(warehouse_file, "internal", {"DRAFTS_PATH": str(drafts)})
    yield url
    stop(proc)


@pytest.fixture(scope="module")
def expected(wh):
    """The luncheon-club cut run straight through the model, on the warehouse's inputs read
    with the app's own query files (same rows, same order, so the same draws)."""
    from queries.runner import QUERIES

    links, costs, payers = (wh(QUERIES[n].sql) for n in ("spillover_links", "unit_costs",
                                                          "payers"))
    funders = dict(wh("select service_code, dept_code from service").itertuples(index=False))
    spend = wh(QUERIES["service_spend_latest"].sql).set_index("service_code").at[
        "LUNCH", "spend_gbp"]
    return sp.simulate(links, costs, payers, {"LUNCH": -float(spend)}, funders=funders,
                       years=5, draws=10_000, seed=sp.DEFAULT_SEED)


def _axe(page) -> list:
    results = Axe().run(page, options={"resultTypes": ["violations"],
                                       "runOnly": {"type": "tag", "values": WCAG}})
    return [v for v in results.response["violations"] if v["impact"] in SERIOUS], results


def _open_details(page) -> None:
    page.evaluate("document.querySelectorAll('main details').forEach(d => { d.open = true; })")


def _check_figures(page, expected) -> None:
    """Every payer that moves: its net saving each year and over five years (with the 95%
    interval), and its chance of a net saving, as the model gives them."""
    table = page.inner_text("#scenarios-years-table")
    by_year = expected.by_payer_year
    shown_payers = 0
    for row in expected.by_payer.itertuples():
        moved = abs(row.net_saving_p2_5_gbp) > 0.5 or abs(row.net_saving_p97_5_gbp) > 0.5
        if not moved:
            assert page.locator(f"#scenarios-net-{row.payer_code}-total").count() == 0
            continue
        shown_payers += 1
        assert row.payer_label in table
        for year in range(1, 6):
            want = by_year[(by_year["payer_code"] == row.payer_code)
                           & (by_year["year"] == year)].iloc[0]
            cell = page.inner_text(f"#scenarios-net-{row.payer_code}-y{year}")
            assert cell.startswith(money_signed(want["net_saving_gbp"])), (row.payer_code,
                                                                           year, cell)
        total = page.inner_text(f"#scenarios-net-{row.payer_code}-total")
        assert money_signed(row.net_saving_gbp) in total
        assert money_signed(row.net_saving_p2_5_gbp) in total  # the 95% interval
        assert page.inner_text(f"#scenarios-prob-{row.payer_code}") == probability(
            row.prob_net_saving)
    assert shown_payers == 3  # adult social care, NHS hospital care, NHS primary care
    for scope, p in (("public_purse", expected.prob_net_saving_public_purse),
                     ("council", expected.prob_net_saving_council)):
        assert page.inner_text(f"#scenarios-prob-{scope}") == probability(p)
        assert page.inner_text(f"#scenarios-chance-{scope}") == probability(p)


def test_luncheon_club_scenario_from_a_url(page, server, expected):
    page.goto(server + "/scenarios?scenario=close-luncheon-clubs"
              "&compare=expand-falls-prevention")
    page.wait_for_selector("#scenarios-years-table")
    _check_figures(page, expected)
    headline = page.inner_text("#scenarios-headline")
    assert headline.startswith("Close the luncheon clubs: In year 1 the council spends £116k less")
    assert "NHS hospital care pays" in headline
    assert probability(expected.prob_net_saving_public_purse) in headline
    # the tornado chart is drawn when it is scrolled to, with its table behind it
    page.locator("#scenarios-tornado-graph").scroll_into_view_if_needed()
    page.wait_for_selector("#scenarios-tornado-graph .bars")
    assert page.locator("#scenarios-tornado-table tbody tr").count() >= 5
    # evidence grades beside the claimed savings, open to read
    evidence = page.inner_text("#scenarios-evidence-table")
    assert "optimism bias" in evidence and "very low" in evidence
    assert "unadjusted" in evidence and "LUNCH-FALLADM" in evidence  # tied links named
    # side by side with the other published scenario
    compare = page.inner_text("#scenarios-compare-table")
    assert "Expand falls prevention by half" in compare
    assert money_signed(expected.overall.set_index("scope").at["public_purse",
                                                               "net_saving_gbp"]) in compare
    _open_details(page)
    serious, results = _axe(page)
    assert serious == [], results.generate_report()
    assert page.console_errors == []


def test_the_same_cut_written_as_a_change_gives_the_same_figures(page, server, expected):
    page.goto(server + "/scenarios?change=LUNCH:-100pct")
    page.wait_for_selector("#scenarios-years-table")
    _check_figures(page, expected)
    assert page.url.endswith("/staff/scenarios?change=LUNCH:-100pct")  # the old address moved
    assert page.inner_text("#scenarios-share-link") == "/staff/scenarios?change=LUNCH:-100pct"
    assert page.console_errors == []


def test_a_bad_link_is_explained_and_the_controls_make_a_new_one(page, server):
    page.goto(server + "/staff/scenarios?change=NOSUCH:-10pct")
    page.wait_for_selector("#scenarios-errors")
    assert "There is no service “NOSUCH”" in page.inner_text("#scenarios-errors")
    page.select_option("#scenarios-add-service", "FALLS")
    page.click("#scenarios-add")
    page.wait_for_function("() => location.search === '?change=FALLS:-10pct'")
    page.wait_for_selector("#scenarios-years-table")
    assert "Falls prevention" in page.inner_text("#scenarios-changes")
    # an out-of-range change is explained beside the controls, and the URL stays put
    value = page.locator('input[id*="scenarios-row-value"]')
    value.fill("-900")
    value.press("Enter")
    page.wait_for_selector("#scenarios-control-message .alert")
    assert "between −100% and +500%" in page.inner_text("#scenarios-control-message")
    assert page.url.endswith("?change=FALLS:-10pct")
    assert value.input_value() == "-900"  # the control as the reader left it
    serious, results = _axe(page)
    assert serious == [], results.generate_report()
    assert page.console_errors == []


def test_save_a_draft_and_compare(page, server):
    page.goto(server + "/scenarios?change=LUNCH:-50pct")
    page.wait_for_selector("#scenarios-draft-name")
    page.fill("#scenarios-draft-name", "Halve the clubs")
    page.click("#scenarios-save")
    page.wait_for_selector("#scenarios-save-message .alert-success")
    page.click("#scenarios-save-message a")
    page.wait_for_url(re.compile(r".*\?scenario=draft:\d+$"))  # the message's link
    page.wait_for_selector("#scenarios-years-table")
    assert "Halve the clubs" in page.inner_text("#scenarios-title")
    page.check("#scenarios-compare-pick input[value='close-luncheon-clubs']", force=True)
    page.click("#scenarios-compare-button")
    page.wait_for_selector("#scenarios-compare-table")
    assert "Close the luncheon clubs" in page.inner_text("#scenarios-compare-table")
    assert page.console_errors == []


def test_spillover_page_shows_sankey_matrix_and_observed(page, server, wh):
    page.goto(server + "/spillover")
    page.wait_for_selector("#spillover-sankey-graph .sankey")
    assert page.locator("#spillover-sankey-graph .sankey-node").count() >= 10
    page.locator("#spillover-matrix-graph").scroll_into_view_if_needed()  # drawn when near
    page.wait_for_selector("#spillover-matrix-graph .hm, #spillover-matrix-graph .heatmaplayer")
    _open_details(page)
    table = page.inner_text("#spillover-sankey-table")
    n_links = int(wh("select count(*) from spillover_link").iloc[0, 0])
    assert page.locator("#spillover-sankey-table tbody tr").count() == n_links
    for words in ("Luncheon clubs for older people", "high", "very low", "Cochrane"):
        assert words in table
    assert "Adult Social Care" in page.inner_text("#spillover-matrix-table")
    summary = page.inner_text("#spillover-summary")
    assert "modelled effects" in summary and "evidence" in summary
    observed = page.inner_text("#spillover-observed")
    assert "Observed association, not evidence of cause" in observed
    serious, results = _axe(page)
    assert serious == [], results.generate_report()
    assert page.console_errors == []


def test_spillover_for_one_area(page, server):
    page.goto(server + "/spillover?area=OLDER")
    page.wait_for_selector("#spillover-sankey-graph .sankey")
    assert "Older people live independently and well" in page.inner_text("#spillover-title")
    assert "Planned maintenance" not in page.inner_text("#spillover-summary")
    assert page.console_errors == []
