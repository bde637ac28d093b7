"""The draft store under faults: saves at once cannot double a draft (threads and processes);
a missing or read-only file is a clear message, and the store works again once it is back."""

from __future__ import annotations

import multiprocessing
import shutil
import sqlite3
import threading

import pytest

from dashboard.auth import User
from drafts import store as ds
from drafts.store import Change, DraftStore, DraftStoreUnavailable

CABINET = User("cllr.cabinet", "cabinet")
CUT = [Change("LUNCH", "percent", -100.0)]


def _save_at(path: str, barrier, value: float, out) -> None:
    """One writer: a store of its own (as another worker would have), all start together."""
    store = DraftStore(path)
    barrier.wait()
    try:
        out.append(store.save(CABINET, "Budget option", [Change("LUNCH", "percent", value)],
                              ["ASC"]).draft_id)
    except Exception as err:  # noqa: BLE001 - reported to the test below
        out.append(repr(err))


def _save_in_process(path: str, barrier, value: float, queue) -> None:
    out: list = []
    _save_at(path, barrier, value, out)
    queue.put(out[0])


def test_twenty_threads_saving_one_name_make_one_draft(tmp_path):
    path = str(tmp_path / "drafts.sqlite3")
    barrier, out = threading.Barrier(20), []
    threads = [threading.Thread(target=_save_at, args=(path, barrier, -i, out))
               for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(out) == 20 and all(isinstance(x, int) for x in out), out
    assert len(set(out)) == 1
    [draft] = DraftStore(path).visible(CABINET)
    assert draft.name == "Budget option" and -19 <= draft.changes[0].change_value <= 0


def test_four_processes_saving_one_name_make_one_draft(tmp_path):
    path = str(tmp_path / "drafts.sqlite3")
    ctx = multiprocessing.get_context("spawn")
    barrier, queue = ctx.Barrier(4), ctx.Queue()
    procs = [ctx.Process(target=_save_in_process, args=(path, barrier, -i, queue))
             for i in range(4)]
    for p in procs:
        p.start()
    got = [queue.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(30)
    assert all(isinstance(x, int) for x in got), got
    assert len(set(got)) == 1
    assert len(DraftStore(path).visible(CABINET)) == 1


def test_doubles_saved_before_the_rule_keep_their_changes_under_new_names(tmp_path):
    path = tmp_path / "drafts.sqlite3"
    with sqlite3.connect(path) as con:
        con.execute(ds.SQL["schema"])
        for value in ("1", "2"):
            con.execute("insert into drafts (name, owner, departments, changes, created_at, "  # noqa: S608 - a fixed test row
                        "updated_at) values ('Twice', ?, 'ASC', ?, 'x', 'x')",
                        (CABINET.name, f'[{{"service_code": "LUNCH", "change_type": '
                                       f'"percent", "change_value": -{value}}}]'))
    store = DraftStore(path)
    store.save(CABINET, "Twice", CUT, ["ASC"])
    drafts = {d.name: d for d in store.visible(CABINET)}
    assert set(drafts) == {"Twice", "Twice #1"}
    assert drafts["Twice #1"].changes[0].change_value == -1.0  # the older one, kept
    assert drafts["Twice"].changes[0].change_value == -100.0  # the newer one, updated


def _remove(path) -> None:
    for suffix in ("", "-wal", "-shm"):
        (path.parent / (path.name + suffix)).unlink(missing_ok=True)


def test_a_removed_file_is_a_clear_message_until_it_is_restored(tmp_path):
    path = tmp_path / "drafts.sqlite3"
    store = DraftStore(path)
    saved = store.save(CABINET, "Keep me", CUT, ["ASC"])
    backup = tmp_path / "backup.sqlite3"
    with sqlite3.connect(path) as src, sqlite3.connect(backup) as dst:
        src.backup(dst)
    _remove(path)
    for call in (lambda: store.visible(CABINET), lambda: store.get(CABINET, saved.draft_id),
                 lambda: store.save(CABINET, "New", CUT, ["ASC"])):
        with pytest.raises(DraftStoreUnavailable, match=r"draft store \(drafts.sqlite3\) is "
                                                        r"missing.*Try again"):
            call()
    assert not path.exists()  # no empty store made behind the reader's back
    shutil.copyfile(backup, path)
    assert [d.name for d in store.visible(CABINET)] == ["Keep me"]
    assert store.save(CABINET, "New", CUT, ["ASC"]).name == "New"


def test_a_read_only_file_reads_and_refuses_saves_clearly(tmp_path, monkeypatch):
    store = DraftStore(tmp_path / "drafts.sqlite3")
    store.save(CABINET, "Before", CUT, ["ASC"])
    monkeypatch.setattr(ds, "WRITE_MODE", "ro")  # as a read-only mount opens
    with pytest.raises(DraftStoreUnavailable, match=r"\(drafts.sqlite3\) is read-only"):
        store.save(CABINET, "During", CUT, ["ASC"])
    assert [d.name for d in store.visible(CABINET)] == ["Before"]
    monkeypatch.setattr(ds, "WRITE_MODE", "rwc")  # writable again: no restart needed
    assert store.save(CABINET, "After", CUT, ["ASC"]).name == "After"


def test_a_file_that_is_not_a_database_is_a_clear_message(tmp_path):
    path = tmp_path / "drafts.sqlite3"
    store = DraftStore(path)
    store.save(CABINET, "x", CUT, ["ASC"])
    _remove(path)
    path.write_bytes(b"not a database at all" * 100)
    with pytest.raises(DraftStoreUnavailable, match="cannot be read"):
        store.visible(CABINET)
