"""Every other page in a real browser: it draws, the CSP blocks nothing it needs (no console
errors), keyboard focus reaches the main content, and axe-core finds nothing serious."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.browser

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PAGES = [("/methods", "#methods-title"), ("/data", "#opendata-title"),
         ("/accessibility", "#accessibility-title"), ("/director", "h1"),
         ("/data-quality", "h1")]


@pytest.mark.parametrize(("path", "ready"), PAGES, ids=[p for p, _ in PAGES])
def test_page_draws_without_errors_and_passes_axe(page, live_server, path, ready):
    response = page.goto(live_server + path)
    assert response.status == 200
    assert "default-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector(ready)
    assert page.locator("main").count() == 1
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
    serious = [v for v in results.response["violations"]
               if v["impact"] in ("serious", "critical")]
    assert serious == [], results.generate_report()
    assert page.console_errors == []


def test_open_data_links_download(page, live_server):
    page.goto(live_server + "/data")
    page.wait_for_selector("#opendata-title")
    with page.expect_download() as info:
        page.click("a[href='/api/v1/datasets/indicators.csv']")
    path = info.value.path()
    with open(path, encoding="utf-8") as fh:
        header = fh.readline()
    assert header.startswith("indicator_id,")
