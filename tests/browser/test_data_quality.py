"""The data-quality page in a real browser: axe-core finds nothing serious, the CSP blocks
nothing, and the keyboard reaches the main content first."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.browser

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def test_data_quality_page_passes_axe_and_the_keyboard(page, live_server):
    response = page.goto(live_server + "/data-quality")
    assert response.status == 200
    page.wait_for_selector("h1")
    assert page.locator("main").count() == 1
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
    serious = [v for v in results.response["violations"]
               if v["impact"] in ("serious", "critical")]
    assert serious == [], results.generate_report()
    assert page.console_errors == []
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#main"
