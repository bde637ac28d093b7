"""The draft store: save, list, compare, publish; who may do what; values always bound."""

from __future__ import annotations

import ast
import re
import sqlite3
from pathlib import Path

import pytest

from dashboard.auth import User
from drafts import store as ds
from drafts.store import Change, DraftError, DraftPermissionError, DraftStore

ASC_DIRECTOR = User("a.director", "director", frozenset({"ASC"}))
CSC_DIRECTOR = User("c.director", "director", frozenset({"CSC"}))
CABINET = User("cllr.cabinet", "cabinet")
ADMIN = User("an.admin", "admin")
VIEWER = User("a.viewer", "viewer")
ANON = User("anonymous", "anonymous")

CUT_LUNCH = [Change("LUNCH", "percent", -100.0)]
CSC_CHANGE = [Change("EARLYHELP", "amount", 50_000.0)]


@pytest.fixture()
def store(tmp_path) -> DraftStore:
    return DraftStore(tmp_path / "sub" / "drafts.sqlite3")


def test_file_is_created_by_the_first_save_and_is_not_the_warehouse(tmp_path):
    path = tmp_path / "sub" / "drafts.sqlite3"
    s = DraftStore(path)
    assert not path.exists()
    assert s.visible(CABINET) == [] and s.get(CABINET, 1) is None
    assert not path.exists()  # reading does not create it
    s.save(CABINET, "x", CUT_LUNCH, ["ASC"])
    assert path.exists()
    with pytest.raises(ValueError, match="warehouse"):
        DraftStore(tmp_path / "warehouse.duckdb")


def test_default_path_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("DRAFTS_PATH", str(tmp_path / "x.sqlite3"))
    assert ds.drafts_path() == tmp_path / "x.sqlite3"
    assert ds.default_store().path == (tmp_path / "x.sqlite3").resolve()
    monkeypatch.delenv("DRAFTS_PATH")
    assert ds.drafts_path() == ds.ROOT / "var" / "drafts.sqlite3"


def test_save_and_read_back(store):
    d = store.save(ASC_DIRECTOR, "  Close   clubs ", CUT_LUNCH, ["ASC"])
    assert d.draft_id >= 1 and d.ref == f"draft:{d.draft_id}"
    assert d.name == "Close clubs"  # whitespace normalised
    assert d.owner == "a.director"
    assert d.departments == ("ASC",)
    assert d.changes == (Change("LUNCH", "percent", -100.0),)
    assert d.status == "draft"
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$", d.created_at)
    assert store.get(ASC_DIRECTOR, d.draft_id) == d
    assert store.get(ASC_DIRECTOR, str(d.draft_id)) == d


def test_saving_the_same_name_again_updates_that_draft(store):
    first = store.save(CABINET, "Option A", CUT_LUNCH, ["ASC"])
    second = store.save(CABINET, "Option A", [Change("LUNCH", "percent", -50)], ["ASC"])
    assert second.draft_id == first.draft_id
    assert second.changes[0].change_value == -50.0
    other = store.save(ADMIN, "Option A", CUT_LUNCH, ["ASC"])  # another owner: a new draft
    assert other.draft_id != first.draft_id
    assert len(store.visible(CABINET)) == 2


def test_owner_comes_from_the_user_object_not_from_the_changes(store):
    d = store.save(CABINET, "x", [{"service_code": "LUNCH", "change_type": "amount",
                                   "change_value": -1, "owner": "someone.else"}], ["ASC"])
    assert d.owner == CABINET.name


def test_who_may_save(store):
    with pytest.raises(DraftPermissionError):
        store.save(VIEWER, "x", CUT_LUNCH, ["ASC"])
    with pytest.raises(DraftPermissionError):
        store.save(ANON, "x", CUT_LUNCH, ["ASC"])
    with pytest.raises(DraftPermissionError):  # a director, another department's service
        store.save(CSC_DIRECTOR, "x", CUT_LUNCH, ["ASC"])
    with pytest.raises(DraftPermissionError):  # own and another department together
        store.save(ASC_DIRECTOR, "x", CUT_LUNCH + CSC_CHANGE, ["ASC", "CSC"])
    assert store.save(CSC_DIRECTOR, "x", CSC_CHANGE, ["CSC"]).owner == "c.director"
    assert store.save(CABINET, "y", CUT_LUNCH + CSC_CHANGE, ["ASC", "CSC"]).departments == (
        "ASC", "CSC")


def test_who_may_see(store):
    asc = store.save(ASC_DIRECTOR, "asc only", CUT_LUNCH, ["ASC"])
    csc = store.save(CSC_DIRECTOR, "csc only", CSC_CHANGE, ["CSC"])
    both = store.save(CABINET, "both", CUT_LUNCH + CSC_CHANGE, ["ASC", "CSC"])

    def names(user):
        return {d.name for d in store.visible(user)}

    assert names(ASC_DIRECTOR) == {"asc only", "both"}
    assert names(CSC_DIRECTOR) == {"csc only", "both"}
    assert names(CABINET) == names(ADMIN) == {"asc only", "csc only", "both"}
    assert names(VIEWER) == set()
    assert names(ANON) == set()
    assert store.get(CSC_DIRECTOR, asc.draft_id) is None
    assert store.get(ASC_DIRECTOR, csc.draft_id) is None
    assert store.get(VIEWER, both.draft_id) is None


def test_publish_is_for_cabinet_and_admin_and_shows_a_draft_to_every_internal_user(store):
    d = store.save(ASC_DIRECTOR, "asc only", CUT_LUNCH, ["ASC"])
    for user in (ASC_DIRECTOR, CSC_DIRECTOR, VIEWER, ANON):
        with pytest.raises(DraftPermissionError):
            store.publish(user, d.draft_id)
    assert store.get(ASC_DIRECTOR, d.draft_id).status == "draft"
    published = store.publish(CABINET, d.draft_id)
    assert published.status == "published"
    assert published.published_by == CABINET.name and published.published_at
    assert store.publish(ADMIN, d.draft_id).status == "published"  # idempotent
    for user in (ASC_DIRECTOR, CSC_DIRECTOR, VIEWER):
        assert store.get(user, d.draft_id) == published
    assert store.get(ANON, d.draft_id) is None  # the public never sees drafts
    with pytest.raises(DraftPermissionError):
        store.publish(CABINET, 999_999)
    # saving the same name again makes a new draft: a published one is not overwritten
    again = store.save(ASC_DIRECTOR, "asc only", [Change("LUNCH", "percent", -10)], ["ASC"])
    assert again.draft_id != d.draft_id
    assert store.get(CABINET, d.draft_id).changes == published.changes


def test_compare_up_to_four_each_one_the_user_may_see(store):
    ids = [store.save(CABINET, f"option {i}", CUT_LUNCH, ["ASC"]).draft_id for i in range(5)]
    got = store.compare(CABINET, ids[:4])
    assert [d.name for d in got] == [f"option {i}" for i in range(4)]
    with pytest.raises(DraftError, match="at most 4"):
        store.compare(CABINET, ids)
    csc = store.save(CSC_DIRECTOR, "csc", CSC_CHANGE, ["CSC"])
    with pytest.raises(DraftPermissionError):
        store.compare(ASC_DIRECTOR, [ids[0], csc.draft_id])
    with pytest.raises(DraftPermissionError):
        store.compare(CABINET, ["1; drop table drafts"])


@pytest.mark.parametrize("bad", [None, "", "   ", "x" * 81, "bell\x07", "nul\x00", 12])
def test_bad_names_are_refused(store, bad):
    with pytest.raises(DraftError):
        store.save(CABINET, bad, CUT_LUNCH, ["ASC"])


@pytest.mark.parametrize("changes", [
    [],
    [("lunch", "percent", -1)],  # not a service code
    [("LUNCH", "pct", -1)],
    [("LUNCH", "percent", "ten")],
    [("LUNCH", "percent", float("nan"))],
    [("LUNCH", "amount", float("inf"))],
    [("LUNCH", "percent", True)],
    [("LUNCH", "percent", -1), ("LUNCH", "amount", 5)],  # a service twice
    [(f"S{i}", "amount", 1.0) for i in range(21)],
    ["LUNCH:-100pct"],
])
def test_bad_changes_are_refused(store, changes):
    with pytest.raises(DraftError):
        store.save(CABINET, "x", changes, ["ASC"])


def test_a_draft_needs_departments(store):
    with pytest.raises(DraftError):
        store.save(CABINET, "x", CUT_LUNCH, [])


def test_values_are_bound_so_injection_is_stored_literally(store, tmp_path):
    name = "x'); drop table drafts;--"
    d = store.save(CABINET, name, CUT_LUNCH, ["ASC"])
    assert store.get(CABINET, d.draft_id).name == name
    owner = User("o'; delete from drafts; --", "cabinet")
    e = store.save(owner, "y", CUT_LUNCH, ["ASC'); drop table drafts;--"])
    assert store.get(CABINET, e.draft_id).owner == owner.name
    assert store.get(CABINET, e.draft_id).departments == ("ASC'); drop table drafts;--",)
    assert {x.name for x in store.visible(CABINET)} == {name, "y"}
    with sqlite3.connect(store.path) as con:
        tables = {r[0] for r in con.execute("select name from sqlite_master where type='table'")}
    assert "drafts" in tables


SQL = re.compile(r"\b(select\s.+\sfrom|insert\s+into|delete\s+from|update\s+\w+\s+set|"
                 r"create\s+table)\b", re.IGNORECASE)


def test_sql_lives_in_files_with_bound_parameters_only():
    tree = ast.parse(Path(ds.__file__).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            assert not SQL.search(node.value), f"SQL in a string in store.py: {node.value!r}"
        assert not isinstance(node, ast.JoinedStr) or not any(
            isinstance(v, ast.Constant) and SQL.search(str(v.value)) for v in node.values)
    for path in ds.SQL_DIR.glob("*.sql"):
        text = path.read_text(encoding="utf-8")
        assert text.startswith("-- one row"), path.name
        assert "-- params:" in text, path.name
        assert "{" not in text and "%s" not in text, path.name
        declared = set(re.findall(r":([a-z_]+)", text.splitlines()[1]))
        body = "\n".join(line for line in text.splitlines() if not line.startswith("--"))
        assert set(re.findall(r":([a-z_]+)", body)) == declared, path.name


def test_junk_ids_are_not_found(store):
    store.save(CABINET, "x", CUT_LUNCH, ["ASC"])
    for junk in (None, "", "abc", "1 or 1=1", -1, 0, 2**70, 3.7, True, [], {}):
        assert store.get(CABINET, junk) is None
