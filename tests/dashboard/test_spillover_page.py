"""The spill-over page: its view functions and the page the site renders from them."""

from __future__ import annotations

import re

import pytest

from dashboard.views import spillover


def test_unknown_area_shows_the_whole_council_with_a_note(app):
    with app.app_context():
        page = spillover.view("NOPE")
        whole = spillover.view(None)
    assert page["notes"] == ["There is no investment area “NOPE”, so the whole council is shown."]
    assert page["area"] == "" and page["summary"] == whole["summary"] and whole["notes"] == []
    assert "modelled effects, not measured ones" in page["summary"]
    ids = [b.id for b in page["blocks"]]
    assert ids == ["spillover-sankey", "spillover-matrix", "spillover-grades"]
    assert page["blocks"][0].figure["data"][0]["type"] == "sankey"
    assert page["blocks"][0].csv == "/download/spillover-links.csv?area="


def test_an_area_scope_marks_its_link_current(app):
    with app.app_context():
        page = spillover.view("OLDER")
    current = [a for a in page["links"] if a["current"]]
    assert [a["code"] for a in current] == ["OLDER"] and "“" in page["title"]
    assert page["blocks"][0].csv.endswith("?area=OLDER")


@pytest.mark.parametrize("mode", ["internal", "public"])
def test_the_page_shows_the_model_the_evidence_and_the_observed_data(request, mode):
    client = request.getfixturevalue("app" if mode == "internal" else "public_app").test_client()
    page = client.get("/spillover?area=NOPE").get_data(as_text=True)
    assert "There is no investment area “NOPE”" in page
    assert "Observed association, not evidence of cause" in page
    for block in ("spillover-sankey", "spillover-matrix"):
        assert f'data-figure="{block}-graph-figure"' in page
        assert f'id="{block}-table"' in page and f'id="{block}-csv"' in page
    assert 'aria-current="page"' in page  # the whole council, chosen
    links = re.findall(r'href="(/download/spillover-[^"]+)"', page)
    for href in links:
        assert client.get(href.replace("&amp;", "&")).status_code == 200, href
