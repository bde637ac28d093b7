"""The public site (DASHBOARD_MODE=public, server-rendered pages) in Chromium: axe finds
nothing serious, charts draw when scrolled to, the controls work from the keyboard as a form,
and every page reads complete with JavaScript switched off."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.conftest import start_gunicorn, stop

pytestmark = pytest.mark.browser

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PAGES = ["/", "/area/OLDER", "/area/OLDER?terms=real&service=LUNCH", "/spillover",
         "/spillover?area=OLDER", "/methods", "/data", "/accessibility", "/nope"]


@pytest.fixture(scope="module")
def public_site(warehouse_file):
    proc, url = start_gunicorn(warehouse_file, mode="public")
    yield url
    stop(proc)


@pytest.mark.parametrize("path", PAGES)
def test_public_page_passes_axe_with_charts_drawn(page, public_site, path):
    response = page.goto(public_site + path)
    assert response.status == (404 if path == "/nope" else 200)
    page.mouse.wheel(0, 100_000)  # draw every chart before axe looks
    charts = page.locator("[data-figure]")
    for i in range(charts.count()):
        charts.nth(i).scroll_into_view_if_needed()
        charts.nth(i).locator("svg.main-svg").first.wait_for(state="attached")
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
    serious = [v for v in results.response["violations"]
               if v["impact"] in ("serious", "critical")]
    assert serious == [], results.generate_report()
    # the one error a 404 page may log is its own status
    expected = ["the server responded with a status of 404"] if path == "/nope" else []
    assert [e for e in page.console_errors
            if not any(x in e for x in expected)] == []


def test_plotly_loads_only_when_a_chart_comes_near_the_screen(browser, public_site):
    context = browser.new_context(viewport={"width": 390, "height": 700})  # a phone
    page = context.new_page()
    fetched = []
    page.on("request", lambda r: fetched.append(r.url))
    page.goto(public_site + "/area/OLDER", wait_until="networkidle")
    assert not any("plotly" in u for u in fetched)
    page.locator("[data-figure]").first.scroll_into_view_if_needed()
    page.locator("[data-figure] svg.main-svg").first.wait_for(state="attached")
    assert any("plotly" in u for u in fetched)
    context.close()


def test_keyboard_user_changes_the_view_with_the_form(page, public_site):
    page.goto(public_site + "/area/OLDER")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"
    page.get_by_role("radio", name="Real terms").focus()
    page.keyboard.press("Space")
    # tab on to the form's Show button and send it
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Show":
            break
    else:
        pytest.fail("the Show button is not reachable by Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    query = parse_qs(urlsplit(page.url).query)
    assert query["terms"] == ["real"]
    assert "in real terms" in page.inner_text("#area-headline")
    assert page.get_by_role("radio", name="Real terms").is_checked()


def test_pages_read_complete_without_javascript(browser, public_site, wh):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(public_site + "/area/OLDER?service=LUNCH")
    want = wh("select count(*) as n from mart_area_year where area_code = 'OLDER'")["n"].iloc[0]
    assert page.locator("#area-cost-table tbody tr").count() == want
    assert page.locator("#area-suppliers-table").count() == 1
    assert page.locator("#area-cost-summary").inner_text().strip()
    # each chart keeps its place (its height) for plotly.js; no other picture is drawn
    charts = page.locator("[data-figure]")
    assert charts.count() == 5 and page.locator("[data-figure] svg").count() == 0
    box = charts.first.bounding_box()
    assert box["width"] > 600 and box["height"] == 320
    page.locator("details.chart-data summary").first.click()  # native <details>, no script
    with page.expect_download() as info:
        page.locator("a.csv-link").first.click()
    assert info.value.suggested_filename.endswith(".csv")
    context.close()


def test_the_page_passes_axe_when_plotly_never_loads(page, public_site):
    """Without plotly.js (blocked, or failed) the page is its summaries, tables and CSVs: it
    must pass axe too, and log nothing but the blocked script."""
    page.route("**/plotly.min.js*", lambda route: route.abort())
    page.goto(public_site + "/area/OLDER?service=LUNCH")
    page.mouse.wheel(0, 100_000)
    page.wait_for_timeout(300)
    assert page.locator("[data-figure]").count() == 5
    assert page.locator(".js-plotly-plot").count() == 0
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
    serious = [v for v in results.response["violations"]
               if v["impact"] in ("serious", "critical")]
    assert serious == [], results.generate_report()
