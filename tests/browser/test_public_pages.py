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
    # the bar and line charts are there as the server's pictures, to the width of the page
    pictures = page.locator("[data-figure] .chart-static")
    assert pictures.count() == page.locator("[data-figure]").count() == 5  # with a service
    box = pictures.first.bounding_box()
    assert box["width"] > 600 and box["height"] == 320
    page.locator("details.chart-data summary").first.click()  # native <details>, no script
    with page.expect_download() as info:
        page.locator("a.csv-link").first.click()
    assert info.value.suggested_filename.endswith(".csv")
    context.close()


def chart_ticks(browser, url: str, chart_id: str,
                scripts: bool) -> tuple[dict, dict, float]:
    """Where a chart's tick labels are (label -> centre, px in the page), drawn by the server
    (no script) or by plotly.js, and the chart's height."""
    context = browser.new_context(viewport={"width": 1280, "height": 900},
                                  java_script_enabled=scripts)
    page = context.new_page()
    page.goto(url)
    chart = page.locator(f"#{chart_id}")
    chart.scroll_into_view_if_needed()
    if scripts:
        chart.locator("svg.main-svg").first.wait_for(state="attached")
        assert chart.locator(".chart-static").count() == 0  # plotly.js's drawing replaced it
    else:
        assert chart.locator(".chart-static").count() == 1

    def centres(selector: str) -> dict:
        found = chart.locator(selector)
        out = {}
        for i in range(found.count()):
            box = found.nth(i).bounding_box()
            out[found.nth(i).text_content()] = (box["x"] + box["width"] / 2,
                                                box["y"] + box["height"] / 2)
        return out

    ticks = centres("text.xtick, .xtick text"), centres("text.ytick, .ytick text")
    height = chart.bounding_box()["height"]
    context.close()
    return ticks[0], ticks[1], height


def assert_drawn_alike(browser, url: str, chart_id: str, xs: int, ys: int) -> None:
    """plotly.js draws over the server's picture with the same margins and axes: the same tick
    labels in the same places (so nothing moves as it takes over), and the same height."""
    x_drawn, y_drawn, h_drawn = chart_ticks(browser, url, chart_id, scripts=False)
    x_plotly, y_plotly, h_plotly = chart_ticks(browser, url, chart_id, scripts=True)
    assert list(x_drawn) == list(x_plotly) and len(x_drawn) >= xs  # in order
    assert list(y_drawn) == list(y_plotly) and len(y_drawn) >= ys  # as plotly.js writes them
    for label, (x, _) in x_drawn.items():
        assert abs(x - x_plotly[label][0]) <= 2, label
    for label, (_, y) in y_drawn.items():
        assert abs(y - y_plotly[label][1]) <= 2, label
    assert h_drawn == h_plotly


def test_the_servers_picture_and_plotly_draw_the_chart_alike(browser, public_site):
    assert_drawn_alike(browser, public_site + "/area/OLDER", "area-cost-graph", xs=5, ys=3)


def test_the_servers_pictures_pass_axe_before_plotly_draws(page, public_site):
    """The pictures are what a reader sees until plotly.js has drawn (for good, if it never
    loads): they must pass axe too."""
    page.route("**/plotly.min.js*", lambda route: route.abort())
    page.goto(public_site + "/area/OLDER?service=LUNCH")
    page.mouse.wheel(0, 100_000)
    page.wait_for_timeout(300)
    assert page.locator("[data-figure] .chart-static").count() == 5
    assert page.locator(".js-plotly-plot").count() == 0
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
    serious = [v for v in results.response["violations"]
               if v["impact"] in ("serious", "critical")]
    assert serious == [], results.generate_report()
