"""The app in internal mode (the site, and the staff dashboard ``create_dash`` builds under
/staff/) served by gunicorn, with a draft store of its own; and helpers that call the staff
dashboard's callbacks over HTTP as dash-renderer does."""

from __future__ import annotations

import json

import pytest
import requests

from tests.conftest import start_gunicorn, stop


@pytest.fixture(scope="module")
def staff(warehouse_file, tmp_path_factory):
    drafts = tmp_path_factory.mktemp("staff-drafts") / "drafts.sqlite3"
    proc, url = start_gunicorn(warehouse_file, "internal", {"DRAFTS_PATH": str(drafts),
                                                            "RATE_LIMIT": "100000 per minute"})
    yield url
    stop(proc)


@pytest.fixture(scope="module")
def deps(staff) -> dict:
    """The callbacks the staff dashboard declares, by their output key."""
    r = requests.get(f"{staff}/staff/_dash-dependencies", timeout=30)
    assert r.status_code == 200
    return {d["output"]: d for d in r.json()}


def output_key(deps: dict, first_output: str) -> str:
    """The key of the callback whose outputs start with ``first_output`` (``id.prop``)."""
    found = [k for k in deps if k.lstrip(".").startswith(first_output)]
    assert len(found) == 1, (first_output, found)
    return found[0]


def outputs_of(key: str):
    parts = key[2:-2].split("...") if key.startswith("..") else [key]
    outs = []
    for part in parts:
        ident, prop = part.rsplit(".", 1)
        prop = prop.split("@")[0]
        outs.append({"id": json.loads(ident) if ident.startswith("{") else ident,
                     "property": prop})
    return outs if key.startswith("..") else outs[0]


def call(staff: str, key: str, inputs: list, state: list = (), changed: list = (),
         headers: dict | None = None) -> requests.Response:
    """POST one callback as dash-renderer does (same-origin browser headers by default)."""
    body = {"output": key, "outputs": outputs_of(key), "inputs": list(inputs),
            "state": list(state), "changedPropIds": list(changed)}
    host = staff.split("//", 1)[1]
    sent = {"Origin": f"http://{host}", "Sec-Fetch-Site": "same-origin",
            **(headers or {})}
    return requests.post(f"{staff}/staff/_dash-update-component", json=body, headers=sent,
                         timeout=60)


def entry(ident, prop: str, value) -> dict:
    return {"id": ident, "property": prop, "value": value}


def row_entries(kind_id: str, rows: dict) -> list:
    """A pattern-matching input: one entry per service (``rows``: service -> value)."""
    return [entry({"type": kind_id, "service": s}, "value" if "remove" not in kind_id
                  else "n_clicks", v) for s, v in rows.items()]


def page_layout(staff: str, path: str, search: str = "") -> dict:
    """The page Dash Pages' router draws for ``path`` and ``search`` (its callback)."""
    key = ".._pages_content.children..._pages_store.data.."
    r = call(staff, key, [entry("_pages_location", "pathname", path),
                          entry("_pages_location", "search", search)],
             changed=["_pages_location.pathname"])
    assert r.status_code == 200, r.text[:500]
    return r.json()["response"]["_pages_content"]["children"]
