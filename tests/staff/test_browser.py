"""The staff dashboard in Chromium: moving the planner's control from the keyboard redraws the
headline and the charts without a navigation and puts the scenario in the URL; adding and
removing a service; axe finds no serious violation on the staff pages; no console errors."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.browser

SERIOUS = {"serious", "critical"}
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
VALUE = 'input[id*="scenarios-row-value"]'
YEARS_Y = ("() => document.querySelector('#scenarios-years-chart-graph .js-plotly-plot')"
           ".data.map(t => t.y.join(',')).join(';')")


def _axe(page) -> tuple[list, object]:
    page.evaluate("document.querySelectorAll('main details').forEach(d => { d.open = true; })")
    results = Axe().run(page, options={"resultTypes": ["violations"],
                                       "runOnly": {"type": "tag", "values": WCAG}})
    return [v for v in results.response["violations"] if v["impact"] in SERIOUS], results


def test_moving_the_control_redraws_without_a_navigation(page, staff):
    page.goto(staff + "/staff/scenarios?change=LUNCH:-100pct")
    page.wait_for_selector("#scenarios-years-chart-graph .js-plotly-plot .bars")
    page.evaluate("window.samePage = true")
    before, bars = page.inner_text("#scenarios-headline"), page.evaluate(YEARS_Y)
    control = page.locator(VALUE)
    control.focus()
    for _ in range(10):  # ten steps of 5 points: a cut of 50% instead of 100%
        page.keyboard.press("ArrowUp")
    page.wait_for_function("h => document.querySelector('#scenarios-headline').innerText !== h",
                           arg=before, timeout=20_000)
    page.wait_for_function(f"b => ({YEARS_Y})() !== b", arg=bars, timeout=20_000)
    assert page.evaluate("window.samePage") is True  # the same page: no reload
    assert page.url.endswith("/staff/scenarios?change=LUNCH:-50pct")
    assert "council spends £58.2k less" in page.inner_text("#scenarios-headline")
    assert page.evaluate("document.activeElement.id").find("scenarios-row-value") >= 0
    # add a service and take it away again; the page stays
    page.select_option("#scenarios-add-service", "FALLS")
    page.click("#scenarios-add")
    page.wait_for_function("() => location.search === '?change=FALLS:-10pct,LUNCH:-50pct'")
    assert page.locator(VALUE).count() == 2
    page.get_by_role("button", name="Remove Falls prevention").click()
    page.wait_for_function("() => location.search === '?change=LUNCH:-50pct'")
    assert page.locator(VALUE).count() == 1
    assert page.evaluate("window.samePage") is True
    assert page.console_errors == []


@pytest.mark.parametrize("path", ["/staff/scenarios?scenario=close-luncheon-clubs",
                                  "/staff/director?dept=ASC",
                                  "/staff/area?area=OLDER&service=LUNCH"])
def test_staff_pages_pass_axe(page, staff, path):
    page.goto(staff + path)
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=20_000)
    serious, results = _axe(page)
    assert serious == [], results.generate_report()
    assert page.console_errors == []
