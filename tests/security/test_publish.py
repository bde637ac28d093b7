"""The public file holds published rows only; the public app cannot reach drafts."""

from __future__ import annotations

import duckdb
import pytest
import requests

from tests.conftest import start_gunicorn, stop
from warehouse.publish import publish


@pytest.fixture(scope="module")
def public_file(warehouse_file, tmp_path_factory):
    return publish(warehouse_file, tmp_path_factory.mktemp("public") / "public.duckdb")


def _count(path, sql):
    con = duckdb.connect(str(path), read_only=True, config={"threads": 1})
    try:
        return con.execute(sql).fetchall()[0][0]
    finally:
        con.close()


def test_internal_file_has_unpublished_rows(demo_source, tmp_path):
    # the demo has a draft budget: the test below would be empty without it
    from warehouse.build import build

    internal = build(demo_source, tmp_path / "internal.duckdb").path
    assert _count(internal, "select count(*) from budget where not published") > 0


def test_public_file_has_no_unpublished_rows(public_file):
    assert _count(public_file, "select count(*) from budget where not published") == 0
    assert _count(public_file, "select count(*) from budget where version = 'draft'") == 0
    assert _count(public_file, "select count(*) from scenario where status <> 'published'") == 0
    assert _count(public_file, "select count(*) from rejected_row") == 0
    assert _count(public_file, "select count(*) from load_log where message is not null") == 0
    assert _count(public_file, "select count(distinct loaded_by) from load_log") == 1


def test_public_file_keeps_the_published_data(public_file, wh):
    for table in ("spend", "indicator_value", "mart_area_overview", "spillover_link"):
        internal = wh(f"select count(*) as n from {table}")["n"].iloc[0]
        assert _count(public_file, f"select count(*) from {table}") == internal > 0


@pytest.fixture(scope="module")
def public_server(public_file, tmp_path_factory):
    drafts = tmp_path_factory.mktemp("drafts") / "drafts.sqlite3"
    proc, url = start_gunicorn(public_file, mode="public", extra_env={"DRAFTS_PATH": str(drafts)})
    yield url, drafts
    stop(proc)


def test_public_mode_has_no_internal_routes_or_callbacks(public_server):
    url, drafts = public_server
    for prefix in ("", "/staff"):  # no Dash at all: not its routes, not its callbacks
        for route in ("/_dash-layout", "/_dash-dependencies", "/"):
            r = requests.get(url + prefix + route, timeout=10)
            assert r.status_code == (200 if prefix + route == "/" else 404), prefix + route
        r = requests.post(url + prefix + "/_dash-update-component", json={}, timeout=10)
        assert r.status_code in (404, 405)
    for path in ("/scenarios", "/director", "/staff/scenarios", "/staff/area"):
        assert requests.get(url + path, timeout=10).status_code == 404, path
    index = requests.get(url + "/", timeout=10).text
    assert "/scenarios" not in index and "/director" not in index
    assert not drafts.exists()


def test_publish_decides_on_every_table():
    """A table added to the schema must be placed in publish's lists, or this fails."""
    import re

    from warehouse.build import SCHEMA
    from warehouse.publish import EMPTY, PUBLIC_FILTERS, REDACTED

    tables = set(re.findall(r"create table (\w+)", SCHEMA.read_text(encoding="utf-8")))
    decided = set(PUBLIC_FILTERS) | set(REDACTED) | set(EMPTY)
    assert tables == decided, {"undecided": tables - decided, "unknown": decided - tables}
