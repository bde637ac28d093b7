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

    page = client.get("/staff/director").get_data(as_text=True)  # the staff dashboard (Dash)
    site = client.get("/area/OLDER").get_data(as_text=True)  # a site page
    urls = re.findall(r'(?:src|href)="(/(?:staff/)?(?:assets|_dash-component-suites)/[^"]+)"',
                      page + site)
    assert any(u.startswith("/assets/app.css?m=") for u in urls)
    assert any(u.startswith("/assets/static/charts.js?m=") for u in urls)
    assert any("/staff/_dash-component-suites/dash/dcc/" in u for u in urls)
    for url in urls:
        r = client.get(url)
        assert r.status_code == 200, url
        assert "max-age=31536000" in r.headers["Cache-Control"], url
    plain = client.get("/assets/app.css")  # no version in the URL: no year-long cache
    assert plain.status_code == 200
    assert "31536000" not in plain.headers.get("Cache-Control", "")
    assert client.get("/staff/_dash-component-suites/dash/nope.v1_0_0m1.js").headers.get(
        "Cache-Control", "") != "public, max-age=31536000, immutable"


def test_one_of_accepts_only_text_on_the_list():
    from dashboard.data import one_of

    assert one_of("OLDER", {"OLDER", "SAFE"}, "area") == "OLDER"
    for bad in ("NOPE", None, 1, ["OLDER"], {"OLDER": 1}, "older"):
        with pytest.raises(ValueError, match="area"):
            one_of(bad, {"OLDER", "SAFE"}, "area")


@pytest.mark.parametrize("mode", ["internal", "public"])
@pytest.mark.parametrize("path", ["/nonexistent", "/area", "/area/OLDER/extra", "/spillover/x",
                                  "/overview", "/%3Cscript%3E"])
def test_unknown_paths_get_a_404_page(request, mode, path):
    app = request.getfixturevalue("app" if mode == "internal" else "public_app")
    r = app.test_client().get(path)
    assert r.status_code == 404 and r.mimetype == "text/html"
    page = r.get_data(as_text=True)
    assert "Page not found" in page and 'href="/spillover"' in page and "<script>" not in page
    assert 'id="main-content"' in page  # the site's shell: skip link, navigation


@pytest.mark.parametrize("mode", ["internal", "public"])
@pytest.mark.parametrize("path", ["/api/v1/nope", "/api/v1/datasets/nope", "/api/x"])
def test_unknown_api_paths_get_json_404(request, mode, path):
    app = request.getfixturevalue("app" if mode == "internal" else "public_app")
    r = app.test_client().get(path)
    assert r.status_code == 404 and r.is_json and r.get_json()["error"]


def test_site_pages_carry_no_inline_script_and_a_strict_csp(client, public_app):
    import re

    for c in (client, public_app.test_client()):
        for path in ("/", "/area/OLDER", "/spillover", "/methods"):
            r = c.get(path)
            csp = r.headers["Content-Security-Policy"]
            assert "script-src 'self';" in csp and "sha256" not in csp, path
            scripts = re.findall(r"<script([^>]*)>", r.get_data(as_text=True))
            assert all("src=" in a or 'type="application/json"' in a for a in scripts), path


def test_figures_travel_as_json_the_page_cannot_break_out_of(client):
    import json
    import re

    page = client.get("/area/OLDER").get_data(as_text=True)
    blocks = re.findall(r'<script type="application/json" id="([^"]+)">(.*?)</script>', page, re.S)
    assert len(blocks) >= 3
    for chart_id, body in blocks:
        assert f'data-figure="{chart_id}"' in page
        assert "<" not in body
        assert json.loads(body)["data"]


def test_a_page_address_with_a_trailing_slash_goes_to_the_page(client):
    r = client.get("/area/OLDER/?terms=real")
    assert r.status_code == 308 and r.location.endswith("/area/OLDER?terms=real")
    assert client.get("/spillover//").status_code == 308
    assert client.get("/nope/").status_code == 404
