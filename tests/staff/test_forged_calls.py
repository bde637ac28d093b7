"""Forged and malformed calls to /staff/_dash-update-component: every callback of the staff
dashboard, every input and state, junk values; bodies that are no callback at all; requests
from another site. Each answers 4xx or no update (204), never a 500 or a traceback."""

from __future__ import annotations

import json

import pytest
import requests

from tests.staff.conftest import call, outputs_of, page_layout

JUNK = [
    None, "", "NOPE", "OLDER' or '1'='1", "'; drop table spend; --", "../../etc/passwd",
    "<script>alert(1)</script>", 10**12, -1, 3.5, float("1e308"), True, [], {"a": 1},
    ["LUNCH", "FALLS"] * 30, "x" * 5000, [{"id": "x"}], {"ref": "draft:1"}, {"ref": ["x"]},
]
FORGED_IDS = [{"type": "scenarios-row-value", "service": "NOPE"},
              {"type": "scenarios-row-value", "service": ["ALL"]},
              {"type": "scenarios-row-value"}, "not-a-dict"]


def _entries(dep_list: list, value) -> list:
    out = []
    for d in dep_list:
        ident = json.loads(d["id"]) if d["id"].startswith("{") else d["id"]
        if isinstance(ident, dict):  # pattern-matching: a list of entries, one per service
            ident = {k: ("LUNCH" if v == ["ALL"] else v) for k, v in ident.items()}
            out.append([{"id": ident, "property": d["property"], "value": value}])
        else:
            out.append({"id": ident, "property": d["property"], "value": value})
    return out


def _ok(r: requests.Response, what) -> None:
    assert r.status_code in (200, 204, 400, 403, 413, 415), (what, r.status_code, r.text[:300])
    assert "Traceback" not in r.text and 'File "' not in r.text, (what, r.text[:300])
    if isinstance(what[-1], str) and what[-1].startswith("<script"):
        assert "<script>alert(1)</script>" not in r.text, (what, "reflected markup")


def test_every_callback_survives_junk_in_every_input(staff, deps):
    assert len(deps) >= 6
    for key, dep in deps.items():
        n_in, n_state = len(dep["inputs"]), len(dep["state"])
        for position in range(n_in + n_state):
            for value in JUNK:
                good = _entries(dep["inputs"] + dep["state"], 1)
                forged = _entries(dep["inputs"] + dep["state"], value)
                body = good[:position] + forged[position:position + 1] + good[position + 1:]
                changed = [f"{d['id']}.{d['property']}" for d in dep["inputs"]][:1]
                r = call(staff, key, body[:n_in], body[n_in:], changed)
                _ok(r, (key, position, value))


def test_forged_pattern_ids_change_nothing(staff, deps):
    key = next(k for k in deps if k.startswith("..scenarios-rows.children"))
    dep = deps[key]
    for ident in FORGED_IDS:
        body = _entries(dep["inputs"] + dep["state"], 1)
        body[2] = [{"id": ident, "property": "value", "value": -10}]
        r = call(staff, key, body[:5], body[5:], ["scenarios-persist.value"])
        assert r.status_code in (204, 400), (ident, r.status_code, r.text[:200])


@pytest.mark.parametrize("body", [
    b"not json", b"[]", b"{}", b'{"output": 5}',
    b'{"output": "nope.children", "outputs": {}, "inputs": []}',
    b'{"output": "..scenarios-rows.children..", "outputs": [], "inputs": "x"}',
])
def test_bodies_that_are_no_callback_are_refused(staff, body):
    host = staff.split("//", 1)[1]
    r = requests.post(f"{staff}/staff/_dash-update-component", data=body, timeout=30,
                      headers={"Content-Type": "application/json",
                               "Origin": f"http://{host}"})
    assert r.status_code == 400, (body, r.status_code, r.text[:200])


def test_a_callback_with_too_few_inputs_is_refused(staff, deps):
    key = next(k for k in deps if k.startswith("..director-url.search"))
    inputs = _entries(deps[key]["inputs"], "ASC")[:2]
    assert call(staff, key, inputs, [], ["director-dept.value"]).status_code == 400


def test_outputs_that_do_not_match_the_callback_are_refused(staff, deps):
    # Dash itself fails (a 500) when the outputs list is not the callback's own
    for key, dep in deps.items():
        body = {"output": key, "inputs": _entries(dep["inputs"], 1),
                "state": _entries(dep["state"], 1), "changedPropIds": []}
        wrong = [[], [outputs_of(key)] if not key.startswith("..") else outputs_of(key)[:1],
                 {"id": "x"} if key.startswith("..") else [outputs_of(key)] * 2]
        for outputs in wrong:
            r = requests.post(f"{staff}/staff/_dash-update-component",
                              json={**body, "outputs": outputs}, timeout=30,
                              headers={"Origin": f"http://{staff.split('//', 1)[1]}"})
            assert r.status_code == 400, (key, outputs, r.status_code, r.text[:200])


def test_the_router_takes_text_only(staff):
    key = ".._pages_content.children..._pages_store.data.."
    # a path outside the staff dashboard is no page of it (Dash fails on one: a 500)
    for value in ("/", "", "2024/25", "/area/OLDER", "/staffing"):
        r = call(staff, key, [{"id": "_pages_location", "property": "pathname", "value": value},
                              {"id": "_pages_location", "property": "search", "value": ""}])
        assert r.status_code == 400, value
    for value in ([], {"a": 1}, 5):
        r = call(staff, key, [{"id": "_pages_location", "property": "pathname", "value": value},
                              {"id": "_pages_location", "property": "search", "value": ""}])
        assert r.status_code == 400, value
    # any query string at all draws a page (off-list values are explained)
    for search in ("?change=" + "x" * 3000, "?scenario=%3Cscript%3E", "?dept=NOPE&year=1",
                   "?change=LUNCH:-100pct&change=LUNCH:-50pct", "?compare=a,b,c,d,e"):
        for path in ("/staff/scenarios", "/staff/director", "/staff/area"):
            page = json.dumps(page_layout(staff, path, search))
            assert "<script>" not in page, (path, search)


def test_posts_from_another_site_are_refused(staff, deps):
    key = next(k for k in deps if k.startswith("..scenarios-save-message"))
    outputs = outputs_of(key)
    body = {"output": key, "outputs": outputs, "inputs": [], "state": []}
    url = f"{staff}/staff/_dash-update-component"
    for headers in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"},
                    {"Sec-Fetch-Site": "same-site"}, {"Origin": "null"}):
        r = requests.post(url, json=body, headers=headers, timeout=30)
        assert r.status_code == 403, headers
    # a form post (what a cross-site page can send without CORS) is not JSON
    r = requests.post(url, data={"output": key}, timeout=30)
    assert r.status_code == 415
    r = requests.post(url, data=json.dumps(body), timeout=30,
                      headers={"Content-Type": "text/plain"})
    assert r.status_code == 415
