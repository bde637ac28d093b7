"""The director view and the area explorer on the staff dashboard: drawn from a link, redrawn
by their callbacks with the URL kept in step, off-list values explained or refused."""

from __future__ import annotations

import json

from tests.staff.conftest import call, entry, output_key, page_layout


def _text(node) -> str:
    return json.dumps(node, ensure_ascii=False)


def test_director_link_and_callback(staff, deps, wh):
    page = _text(page_layout(staff, "/staff/director", "?dept=ASC&benchmark=region"))
    assert "Adult" in page and "director-alerts" in page and "director-budget-graph" in page
    # its services link to the area explorer, at that service
    assert "/staff/area?area=" in page and "service=LUNCH" in page
    # each indicator's judgement names its own comparison method beside the badge
    assert "(compared at 95%)" in page and "(compared at 99.8%)" in page
    years = wh("select distinct financial_year from mart_area_year order by 1")[
        "financial_year"].tolist()
    key = output_key(deps, "director-url.search")
    r = call(staff, key, [entry("director-dept", "value", "ENV"),
                          entry("director-year", "value", years[-2]),
                          entry("director-benchmark", "value", "england"),
                          entry("director-level", "value", "998")], [],
             ["director-dept.value"])
    out = r.json()["response"]
    assert out["director-url"]["search"] == (f"?dept=ENV&year={years[-2]}&benchmark=england"
                                             "&level=998")
    assert out["director-headline"]["children"].startswith("Environment")
    assert "/download/director-budget.csv?dept=ENV" in _text(out["director-content"])
    r = call(staff, key, [entry("director-dept", "value", "NOPE"),
                          entry("director-year", "value", years[-1]),
                          entry("director-benchmark", "value", "england"),
                          entry("director-level", "value", "95")], [], ["director-dept.value"])
    assert r.status_code == 204


def test_area_explorer_link_and_callback(staff, deps):
    page = _text(page_layout(staff, "/staff/area", "?area=OLDER&terms=real&service=LUNCH"))
    assert "Older people" in page and "area-cost-graph" in page
    assert "area-suppliers-graph" in page  # the luncheon clubs' suppliers are open
    bad = _text(page_layout(staff, "/staff/area", "?area=NOPE"))
    assert "The link's area “NOPE” is not one this page offers" in bad
    key = output_key(deps, "explorer-url.search")
    inputs = [entry("explorer-area", "value", "SAFE"), entry("explorer-year", "value", "1999"),
              entry("explorer-terms", "value", "cash"),
              entry("explorer-benchmark", "value", "england"),
              entry("explorer-level", "value", "95"), entry("explorer-service", "value", "LUNCH")]
    out = call(staff, key, inputs, [], ["explorer-area.value"]).json()["response"]
    search = out["explorer-url"]["search"]
    assert search.startswith("?area=SAFE&year=") and "service" not in search
    notes = _text(out["explorer-note"])
    assert "1999" in notes and "does not fund this area" in notes  # fell back, and said so
    assert out["explorer-year"]["value"] in [o["value"] for o in out["explorer-year"]["options"]]
    inputs[0] = entry("explorer-area", "value", "'; drop table spend; --")
    assert call(staff, key, inputs, [], ["explorer-area.value"]).status_code == 204
