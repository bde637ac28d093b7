"""The cut-down Bootstrap of the server-rendered pages (``make css``) keeps every rule they use.

Every class on every page, in the states corpus.py renders (and a few more), that the full
Bootstrap styles must be styled by the cut-down file too; and the pages link that file, not the
full one. (Visual equality was checked by screenshots when the file was built.)"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FULL = (ROOT / "assets" / "vendor" / "bootstrap-5.3.9.min.css").read_text(encoding="utf-8")
PURGED = (ROOT / "assets" / "static" / "bootstrap.purged.min.css").read_text(encoding="utf-8")
sys.path.insert(0, str(ROOT / "assets-src" / "css"))
from corpus import INTERNAL_PATHS, PATHS  # noqa: E402 - the build's own list of pages and states

EXTRA = ["/area/OLDER?benchmark=region&level=998", "/area/SAFE", "/spillover?area=NOPE"]


def _styled(css: str, cls: str) -> bool:
    return re.search(r"\." + re.escape(cls) + r"(?![\w-])", css) is not None


def _classes(html: str) -> set[str]:
    return {c for attr in re.findall(r'class="([^"]*)"', html) for c in attr.split()}


@pytest.fixture(scope="module")
def pages(app):
    client = app.test_client()
    return {path: client.get(path).get_data(as_text=True)
            for path in PATHS + INTERNAL_PATHS + EXTRA}


def test_every_bootstrap_class_a_page_uses_is_kept(pages):
    checked = 0
    for path, html in pages.items():
        for cls in _classes(html):
            if _styled(FULL, cls):
                checked += 1
                assert _styled(PURGED, cls), f"{path}: .{cls} was cut (run make css)"
    assert checked > 100  # the pages do use Bootstrap


def test_site_pages_link_the_cut_down_file_and_the_staff_dashboard_the_full_one(pages, client):
    for html in pages.values():
        assert "bootstrap.purged.min.css" in html and "vendor/bootstrap" not in html
    staff = client.get("/staff/director").get_data(as_text=True)
    assert "vendor/bootstrap-5.3.9.min.css" in staff and "purged" not in staff
    assert len(PURGED) < len(FULL) / 5
