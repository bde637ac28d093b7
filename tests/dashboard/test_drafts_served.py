"""The drafts file taken away while the app serves: the planner's callbacks (save, publish,
compare) and its page say so, in words, and work again once the file is back; never a 500."""

from __future__ import annotations

import json
import shutil
import sqlite3

from dashboard.auth import DEMO_USER
from drafts import store as drafts_store
from tests.dashboard.test_scenarios import drafts_file  # noqa: F401
from tests.staff.conftest import entry, output_key, outputs_of, row_entries

ROWS = {"LUNCH": -40.0}


def _remove(path) -> None:
    for suffix in ("", "-wal", "-shm"):
        (path.parent / (path.name + suffix)).unlink(missing_ok=True)


class Planner:
    """The staff planner's callbacks, POSTed in process as dash-renderer sends them."""

    def __init__(self, app):
        self.client = app.test_client()
        self.client.get("/staff/scenarios")  # Dash collects the callbacks on its first request
        self.keys = dict.fromkeys(app.extensions["staff_dash"].callback_map)

    def call(self, first_output: str, inputs: list, state: list, changed: str) -> dict:
        key = output_key(self.keys, first_output)
        body = {"output": key, "outputs": outputs_of(key), "inputs": inputs, "state": state,
                "changedPropIds": [changed]}
        r = self.client.post("/staff/_dash-update-component", data=json.dumps(body),
                             content_type="application/json")
        text = r.get_data(as_text=True)
        assert r.status_code == 200, (r.status_code, text[:300])
        assert "Traceback" not in text and 'File "' not in text
        return r.get_json()["response"]

    @staticmethod
    def _rows() -> list:
        return [row_entries("scenarios-row-value", ROWS),
                row_entries("scenarios-row-kind", dict.fromkeys(ROWS, "percent"))]

    def save(self, name: str) -> str:
        out = self.call("scenarios-save-message.children",
                        [entry("scenarios-save", "n_clicks", 1)],
                        [entry("scenarios-draft-name", "value", name), *self._rows()],
                        "scenarios-save.n_clicks")
        return json.dumps(out["scenarios-save-message"], ensure_ascii=False)

    def publish(self, ref: str) -> str:
        out = self.call("scenarios-drafts-slot.children",
                        [entry("scenarios-publish", "n_clicks", 1)],
                        [entry("scenarios-publish-draft", "value", ref)],
                        "scenarios-publish.n_clicks")
        return json.dumps(out["scenarios-drafts-slot"], ensure_ascii=False)

    def compare(self, picked: list) -> str:
        out = self.call("scenarios-compare-slot.children",
                        [entry("scenarios-compare-button", "n_clicks", 1)],
                        [entry("scenarios-compare-pick", "value", picked), *self._rows(),
                         entry("scenarios-persist", "value", "sustained"),
                         entry("scenarios-loaded", "data", {"ref": ""})],
                        "scenarios-compare-button.n_clicks")
        return json.dumps(out["scenarios-compare-message"], ensure_ascii=False)

    def page(self, search: str = "") -> str:
        out = self.call("_pages_content.children",
                        [entry("_pages_location", "pathname", "/staff/scenarios"),
                         entry("_pages_location", "search", search)],
                        [], "_pages_location.pathname")
        return json.dumps(out["_pages_content"]["children"], ensure_ascii=False)


def test_drafts_file_removed_and_restored_while_serving(app, drafts_file, tmp_path):  # noqa: F811
    planner = Planner(app)
    assert "Saved" in planner.save("Kept")
    backup = tmp_path / "backup.sqlite3"
    with sqlite3.connect(drafts_file) as src, sqlite3.connect(backup) as dst:
        src.backup(dst)
    _remove(drafts_file)

    assert "The draft store cannot be read just now." in planner.page()
    assert "draft store (drafts.sqlite3) is missing" in planner.save("Lost?")
    assert "is missing" in planner.publish("draft:1")
    assert "is missing" in planner.compare(["close-luncheon-clubs"])
    r = planner.client.get("/staff/scenarios?scenario=draft:1")
    assert r.status_code in (200, 400) and "Traceback" not in r.get_data(as_text=True)
    assert "Traceback" not in planner.page("?scenario=draft:1")
    assert not drafts_file.exists()  # nothing was saved in the meantime

    shutil.copyfile(backup, drafts_file)
    assert "\"Kept\"" in planner.page()  # its row in the drafts table
    assert "Saved" in planner.save("After")
    names = {d.name for d in drafts_store.DraftStore(drafts_file).visible(DEMO_USER)}
    assert names == {"Kept", "After"}
