"""The forged-callback suite across audiences, against real gunicorn servers: anonymous on
the public site, a director and a cabinet member on the internal one (trusted-header sign-in).
Every callback gets off-list values, injection strings, forged state and extra pattern items;
nothing a role may not see comes back, and no answer carries a traceback."""

from __future__ import annotations

import json

import pytest
import requests

from drafts.store import DraftStore
from tests.auth_users import write_users_file
from tests.conftest import start_gunicorn, stop
from warehouse.publish import publish

SECRET = "SECRET-CSC-DRAFT-7f3a"  # a children's services draft: the ASC director may not see it
JUNK = [None, "", "NOPE", "draft:1", "draft:2", f"{SECRET}", "OLDER' or '1'='1",
        "'; drop table drafts; --", "<img src=x onerror=alert(1)>", 10**12, -1, [],
        {"id": {"type": "x", "index": 99}}, ["LUNCH:-100pct"] * 40, "x" * 3000]


@pytest.fixture(scope="module")
def servers(warehouse_file, tmp_path_factory):
    base = tmp_path_factory.mktemp("roles")
    users = write_users_file(base / "users.yaml")
    drafts = base / "drafts.sqlite3"
    store = DraftStore(drafts)

    class Cabinet:
        name, role, departments = "cath", "cabinet", frozenset()

        def can_see_drafts_of(self, dept):
            return True

    store.save(Cabinet(), SECRET, [("EARLYHELP", "percent", -50.0)], ["CSC"])
    public_file = publish(warehouse_file, base / "public.duckdb")
    internal, internal_url = start_gunicorn(warehouse_file, extra_env={
        "AUTH_MODE": "header", "AUTH_USERS_FILE": str(users), "DRAFTS_PATH": str(drafts),
        "SECRET_KEY": "test-secret",
        "RATE_LIMIT": "100000 per minute"})
    public, public_url = start_gunicorn(public_file, mode="public", extra_env={
        "DRAFTS_PATH": str(base / "public-drafts.sqlite3"), "RATE_LIMIT": "100000 per minute"})
    yield {"internal": internal_url, "public": public_url}
    stop(internal)
    stop(public)


def _outputs(cb: dict):
    out = cb["output"]
    parts = out[2:-2].split("...") if out.startswith("..") else [out]
    specs = []
    for part in parts:
        ident, prop = part.rsplit(".", 1)
        specs.append({"id": json.loads(ident) if ident.startswith("{") else ident,
                      "property": prop})
    return specs if out.startswith("..") else specs[0]


def _body(cb: dict, value) -> dict:
    def dep(d):
        return {"id": d["id"], "property": d["property"], "value": value}

    inputs = [dep(d) for d in cb.get("inputs", [])]
    # an extra, made-up pattern-matching item rides along with the real inputs
    inputs.append({"id": {"type": "forged", "index": 1}, "property": "value", "value": value})
    return {"output": cb["output"], "outputs": _outputs(cb), "inputs": inputs,
            "state": [dep(d) for d in cb.get("state", [])],
            "changedPropIds": [f"{d['id']}.{d['property']}" for d in cb.get("inputs", [])]}


AUDIENCES = [("public", {}), ("internal", {"X-Remote-User": "dora"}),
             ("internal", {"X-Remote-User": "cath"})]


@pytest.mark.parametrize(("site", "headers"), AUDIENCES, ids=["anonymous", "director",
                                                              "cabinet"])
def test_forged_callbacks(servers, site, headers):
    url = servers[site]
    r = requests.get(url + "/staff/_dash-dependencies", headers=headers, timeout=20)
    if site == "public":  # no Dash at all: nothing to forge
        assert r.status_code == 404
        return
    deps = r.json()
    assert deps, "no callbacks to probe"
    for cb in deps:
        for value in JUNK:
            r = requests.post(url + "/staff/_dash-update-component", json=_body(cb, value),
                              headers=headers, timeout=90)
            assert r.status_code in (200, 204, 400, 413, 422, 500), (cb["output"], value)
            assert "Traceback" not in r.text and 'File "' not in r.text, (cb["output"], value)
            if headers.get("X-Remote-User") != "cath":
                assert SECRET not in r.text, ("leaked a draft", site, cb["output"], value)
            assert "onerror=alert(1)>" not in r.text or r.headers.get(
                "Content-Type", "").startswith("application/json"), cb["output"]


def _open_page(url: str, user: str, search: str) -> str:
    """What Dash's page router sends back for /scenarios with ``search``, as ``user``."""
    body = {"output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"},
                        {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname",
                        "value": "/staff/scenarios"},
                       {"id": "_pages_location", "property": "search", "value": search}],
            "state": [], "changedPropIds": ["_pages_location.pathname"]}
    r = requests.post(url + "/staff/_dash-update-component", json=body,
                      headers={"X-Remote-User": user}, timeout=60)
    assert r.status_code == 200, r.text[:300]
    return r.text


def test_director_cannot_open_another_departments_draft_by_url(servers):
    url = servers["internal"]
    assert SECRET in _open_page(url, "cath", "?scenario=draft:1")  # cabinet sees every draft
    for search in ("?scenario=draft:1", "?scenario=draft%3A1", "?compare=draft:1",
                   "?scenario=close-luncheon-clubs&compare=draft:1"):
        assert SECRET not in _open_page(url, "dora", search), search


def test_oversized_bodies_are_refused(servers):
    for site, headers in (("public", {}), ("internal", {"X-Remote-User": "cath"})):
        path = "/staff/_dash-update-component" if site == "internal" else "/api/v1/datasets"
        r = requests.post(servers[site] + path, data=b"[" * 300_000,
                          headers={**headers, "Content-Type": "application/json"}, timeout=20)
        assert r.status_code == (413 if site == "internal" else 405)  # public: no POST route
