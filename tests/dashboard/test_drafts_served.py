"""The drafts file taken away while the app serves: the planner says so, in words, and works
again once the file is back; never a 500."""

from __future__ import annotations

import shutil
import sqlite3

from dashboard.auth import DEMO_USER
from drafts import store as drafts_store
from tests.dashboard.test_scenarios import _alerts, _submit, drafts_file, mod  # noqa: F401

SAVE = {"from": "change=LUNCH:-40pct"}


def _remove(path) -> None:
    for suffix in ("", "-wal", "-shm"):
        (path.parent / (path.name + suffix)).unlink(missing_ok=True)


def test_drafts_file_removed_and_restored_while_serving(client, drafts_file, mod, tmp_path):  # noqa: F811
    _, text = _submit(client, "save", name="Kept", **SAVE)
    assert "Saved" in _alerts(text, mod.SAVE_MSG)
    backup = tmp_path / "backup.sqlite3"
    with sqlite3.connect(drafts_file) as src, sqlite3.connect(backup) as dst:
        src.backup(dst)
    _remove(drafts_file)

    page = client.get("/scenarios")
    assert page.status_code == 200
    assert "The draft store cannot be read just now." in page.get_data(as_text=True)
    _, text = _submit(client, "save", name="Lost?", **SAVE)
    assert "draft store (drafts.sqlite3) is missing" in _alerts(text, mod.SAVE_MSG)
    _, text = _submit(client, "publish", draft="draft:1")
    assert "is missing" in _alerts(text, mod.PUBLISH_MSG)
    _, text = _submit(client, "compare", compare="close-luncheon-clubs", **SAVE)
    assert "is missing" in _alerts(text, mod.COMPARE_MSG)
    r = client.get("/scenarios?scenario=draft:1")
    assert r.status_code in (200, 400) and "Traceback" not in r.get_data(as_text=True)
    assert not drafts_file.exists()  # nothing was saved in the meantime

    shutil.copyfile(backup, drafts_file)
    text = client.get("/scenarios").get_data(as_text=True)
    assert ">Kept<" in text
    _, text = _submit(client, "save", name="After", **SAVE)
    assert "Saved" in _alerts(text, mod.SAVE_MSG)
    names = {d.name for d in drafts_store.DraftStore(drafts_file).visible(DEMO_USER)}
    assert names == {"Kept", "After"}
