"""HTTP behaviour of the app in process: pages, downloads, headers."""

from __future__ import annotations

import io

import pandas as pd
import pytest


def test_overview_page_and_headers(client):
    r = client.get("/")
    assert r.status_code == 200
    assert b'lang="en-GB"' in r.data
    csp = r.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "unsafe-eval" not in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"


def test_overview_csv_matches_warehouse(client, wh):
    r = client.get("/download/overview.csv")
    assert r.status_code == 200
    got = pd.read_csv(io.BytesIO(r.data))
    want = wh("select area_code, allocated_spend_gbp from mart_area_overview order by sort_order")
    assert list(got["area_code"]) == list(want["area_code"])
    assert (got["allocated_spend_gbp"] - want["allocated_spend_gbp"].round(0)).abs().max() < 1


def test_unknown_download_is_404(client):
    assert client.get("/download/nope.csv").status_code == 404
    assert client.get("/download/overview.exe").status_code == 404


def test_versioned_files_have_long_cache_and_others_do_not(client):
    import re

    page = client.get("/director").get_data(as_text=True)  # a Dash page in internal mode
    urls = re.findall(r'(?:src|href)="(/(?:assets|_dash-component-suites)/[^"]+)"', page)
    assert any("/assets/app.css?m=" in u for u in urls)
    assert any("/_dash-component-suites/dash/dcc/" in u for u in urls)
    for url in urls:
        r = client.get(url)
        assert r.status_code == 200, url
        assert "max-age=31536000" in r.headers["Cache-Control"], url
    plain = client.get("/assets/app.css")  # no version in the URL: no year-long cache
    assert plain.status_code == 200
    assert "31536000" not in plain.headers.get("Cache-Control", "")
    assert client.get("/_dash-component-suites/dash/nope.v1_0_0m1.js").headers.get(
        "Cache-Control", "") != "public, max-age=31536000, immutable"


def test_one_of_accepts_only_text_on_the_list():
    from dashboard.data import one_of

    assert one_of("OLDER", {"OLDER", "SAFE"}, "area") == "OLDER"
    for bad in ("NOPE", None, 1, ["OLDER"], {"OLDER": 1}, "older"):
        with pytest.raises(ValueError, match="area"):
            one_of(bad, {"OLDER", "SAFE"}, "area")
