"""The overview in a real browser: every area with figures, keyboard, accessibility, CSP."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.browser

SERIOUS = {"serious", "critical"}


def test_overview_shows_every_area_with_figures(page, live_server, wh):
    page.goto(live_server + "/")
    page.wait_for_selector("#overview-cards")
    assert page.locator("html").get_attribute("lang") == "en-GB"
    areas = wh("select area_code, area_name, cost_per_outcome_gbp from mart_area_overview "
               "order by sort_order").itertuples(index=False)
    for code, name, cost in areas:
        card = page.locator(f"#overview-card-{code}")
        text = card.inner_text()
        assert name in text
        # the card shows the cost per outcome the warehouse holds, rounded to pounds
        shown = f"£{cost / 1e6:,.1f}m" if cost >= 1e6 else f"£{cost:,.0f}"
        assert shown in text, (code, shown, text)
        assert "England" in text or "Not compared" in text
    assert "Illustrative demo" in page.inner_text("#demo-banner")
    assert "Last loaded" in page.inner_text("#site-footer")
    assert page.console_errors == []


def test_overview_link_opens_area(page, live_server):
    page.goto(live_server + "/")
    page.click("#overview-link-OLDER")
    page.wait_for_url("**/area/OLDER*")


def test_skip_link_is_first_and_moves_focus(page, live_server):
    page.goto(live_server + "/")
    page.wait_for_selector("#overview-cards")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main-content"


def test_overview_has_no_serious_axe_violations(page, live_server):
    page.goto(live_server + "/")
    page.wait_for_selector("#overview-cards")
    page.click("#overview-all summary")
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": [
        "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}})
    serious = [v for v in results.response["violations"] if v["impact"] in SERIOUS]
    assert serious == [], results.generate_report()
