"""The area and director pages in Chromium, as a director would use them: open an area from
the overview, switch to real terms, open a service's suppliers, download a chart's CSV and
check it against the warehouse, and open the same URL in a new browser. The area page is
server-rendered for staff too: its controls are a form, sent with "Show"."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.browser

AREA = "OLDER"
SERVICE = "LUNCH"
SERIOUS = {"serious", "critical"}
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def _query(url: str) -> dict:
    # the browser's CSP forbids eval, so the URL is watched from Python, not with
    # page.wait_for_function
    return parse_qs(urlsplit(url).query)


def _cells(page, table_id: str, column: int) -> list[str]:
    return page.locator(f"#{table_id} tbody tr td:nth-child({column})").all_text_contents()


def _serious(page) -> list:
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
    return [v for v in results.response["violations"] if v["impact"] in SERIOUS], results


def test_director_flow_from_overview_to_suppliers(page, browser, live_server, wh):
    page.goto(live_server + "/")
    page.click(f"#overview-link-{AREA}")
    page.wait_for_url(f"**/area/{AREA}*")
    page.wait_for_selector("#area-cost-table", state="attached")
    want = wh("select financial_year, cost_per_outcome_gbp as cash, cost_per_outcome_real_gbp "
              "as real, real_terms_base_year as base from mart_area_year where area_code = $a "
              "order by financial_year", {"a": AREA})

    # cash first: the chart's table shows the mart's cash figures
    assert _cells(page, "area-cost-table", 4) == [f"{v:,.0f}" for v in want["cash"]]

    # switch to real terms: the figures become the mart's real-terms values, the URL says so
    page.get_by_label("Real terms").check()
    page.click("#area-controls button[type=submit]")  # "Show"
    page.wait_for_url(lambda url: "terms=real" in url)
    page.wait_for_selector("#area-cost-title:has-text('real terms')")
    assert _cells(page, "area-cost-table", 4) == [f"{v:,.0f}" for v in want["real"]]
    assert f"at {want['base'].iloc[0]} prices" in page.inner_text("#area-cost-title")
    assert "in real terms" in page.inner_text("#area-headline")

    # open a service's suppliers
    page.select_option("#area-service", SERVICE)
    page.click(".controls:has(#area-service) button[type=submit]")
    page.wait_for_url(lambda url: "service=LUNCH" in url)
    page.wait_for_selector("#area-suppliers-table", state="attached")
    year = page.input_value("#area-year")
    top = wh("select supplier_name, sum(spend_gbp) as spend from mart_supplier_service_year "
             "where service_code = $s and financial_year = $y group by 1 "
             "order by spend desc, supplier_name limit 10", {"s": SERVICE, "y": year})
    assert _cells(page, "area-suppliers-table", 1) == list(top["supplier_name"])
    assert top["supplier_name"].iloc[0] in page.inner_text("#area-suppliers-title")

    # download the cost chart's CSV: exactly the mart's real-terms figures
    page.click("#area-cost summary")
    with page.expect_download() as info:
        page.click("#area-cost-csv")
    got = pd.read_csv(info.value.path())
    assert list(got["financial_year"]) == list(want["financial_year"])
    assert (got["cost_per_outcome_gbp"] - want["real"]).abs().max() <= 0.005 + 1e-9
    assert got["terms"].str.startswith("real terms").all()

    # and the suppliers' CSV: exactly the spend transactions' totals
    page.click("#area-suppliers summary")
    with page.expect_download() as info:
        page.click("#area-suppliers-csv")
    got = pd.read_csv(info.value.path())
    assert list(got["supplier"]) == list(top["supplier_name"])
    assert (got["spend_gbp"] - top["spend"]).abs().max() <= 0.005 + 1e-9
    assert page.console_errors == []

    # the same URL in a new browser (a fresh profile) shows the same view
    url = page.url
    context = browser.new_context()
    try:
        other = context.new_page()
        errors = []
        other.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        other.goto(url)
        other.wait_for_selector("#area-suppliers-table", state="attached")
        assert other.is_checked("#area-terms input[value='real']")
        assert other.input_value("#area-service") == SERVICE
        assert other.input_value("#area-year") == year
        assert _cells(other, "area-cost-table", 4) == [f"{v:,.0f}" for v in want["real"]]
        assert other.inner_text("#area-headline") == page.inner_text("#area-headline")
        assert errors == []
    finally:
        context.close()


def test_area_indicators_keyboard_and_accessibility(page, live_server, wh):
    page.goto(f"{live_server}/area/{AREA}?benchmark=region&level=998&service={SERVICE}")
    page.wait_for_selector("#area-suppliers-table", state="attached")

    # the Fingertips-style table: comparison with the chosen benchmark by each indicator's
    # own method, in words, the method named beside it; intervals shown at 99.8%
    year = page.input_value("#area-year")
    want = wh("select mi.indicator_id, mi.vs_region, mi.comparison_level from outcome_link ol "
              "join mart_indicator mi using (indicator_id) where ol.area_code = $a and "
              "mi.geo_role = 'borough' and mi.period = $y", {"a": AREA, "y": year})
    words = {"worse": "Worse than the region", "better": "Better than the region",
             "similar": "Similar to the region", "higher": "Higher than the region",
             "lower": "Lower than the region", "not compared": "Not compared"}
    for iid, label, level in want.itertuples(index=False):
        text = page.inner_text(f"#area-indicator-{iid}")
        assert words[label] in text, (iid, label, text)
        if label != "not compared":
            assert f"compared at {level * 100:g}%" in text, (iid, text)
    assert "99.8% interval" in page.inner_text("#area-indicators")
    # each row's small trend line is drawn (by charts.js, from the row's values)
    rows = page.locator("#area-indicators tbody tr")
    assert page.locator("#area-indicators .spark svg polyline").count() >= rows.count() > 0

    # axe, with every data table open
    for summary in page.locator("main details summary").all():
        summary.click()
    serious, results = _serious(page)
    assert serious == [], results.generate_report()

    # every control is reached by Tab
    page.focus("#area-title >> xpath=preceding::a[1]")
    reached = set()
    controls = {"area-year", "area-terms", "area-benchmark", "area-level", "area-service"}
    for _ in range(40):
        page.keyboard.press("Tab")
        reached.add(page.evaluate(
            "(() => { const e = document.activeElement;"
            " const c = e && e.closest('#area-year, #area-terms, #area-benchmark, #area-level,"
            " #area-service'); return c ? c.id : null; })()"))
        if controls <= reached:
            break
    assert controls <= reached, reached

    # a radio group is one tab stop and the arrow keys choose within it; nothing moves until
    # the reader asks (WCAG 3.2.2), then Tab reaches "Show" and Enter sends the form
    page.focus("#area-level input[value='998']")
    before = page.url
    page.keyboard.press("ArrowLeft")
    assert page.is_checked("#area-level input[value='95']") and page.url == before
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Show"
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: _query(url).get("level") == ["95"])
    page.wait_for_selector("#area-indicators:has-text('95% interval')")
    assert page.console_errors == []


def test_unknown_area_lists_the_areas(page, live_server):
    response = page.goto(live_server + "/area/NOPE")
    assert response.status == 404  # a real "not found", with somewhere to go
    page.wait_for_selector(".not-found")
    assert "Investment area not found" in page.inner_text("main")
    assert page.locator(".not-found a[href='/area/OLDER']").count() == 1
    # Chromium logs the page's own 404 to the console; nothing else may fail
    assert [e for e in page.console_errors if "404" not in e] == []
    assert len(page.console_errors) <= 1


def test_director_page(page, live_server):
    page.goto(live_server + "/director?dept=ASC")
    page.wait_for_selector("#director-alerts")
    # the indicators needing attention come first, and say so in words
    rows = page.locator("#director-alerts tbody tr").all_inner_texts()
    flags = [r.startswith("Needs attention") for r in rows]
    assert any(flags) and flags == sorted(flags, reverse=True)

    for summary in page.locator("main details summary").all():
        summary.click()
    serious, results = _serious(page)
    assert serious == [], results.generate_report()

    page.select_option("#director-dept", "ENV")
    page.wait_for_url(lambda url: "dept=ENV" in url)
    page.wait_for_selector("#director-budget-title:has-text('Environment')")
    # a service leads to its suppliers in the area explorer
    page.click("#director-service-links a >> nth=0")
    page.wait_for_url("**/staff/area?**service=*")
    page.wait_for_selector("#area-suppliers-table", state="attached")
    assert page.console_errors == []
