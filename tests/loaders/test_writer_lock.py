"""One writer at a time, with real processes: a second writer waits or refuses clearly, two
loads at once both land, and a killed writer's temporary copy is removed by the next."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[2]
HOLD = """
import sys, time
from pathlib import Path
from warehouse.writer import writer_lock
with writer_lock(Path(sys.argv[1]), "a test holder"):
    print("held", flush=True)
    time.sleep(120)
"""


def _spend_file(folder: Path, name: str, supplier: str) -> Path:
    path = folder / name
    path.write_text("Directorate,Payment Date,Supplier Name,Amount\n"
                    f"Adults' and Community Services,01/06/2012,{supplier},600.00\n",
                    encoding="utf-8")
    return path


def _load(target: Path, path: Path, *extra: str, stderr: Path | None = None) -> subprocess.Popen:
    """Start a load; its stderr goes to ``stderr`` (a file, read while it runs) or a pipe."""
    argv = [sys.executable, "-m", "warehouse", "load", "spend", str(path), "--target",
            str(target), *extra]
    if stderr is None:
        return subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
    with stderr.open("w") as err:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=err, text=True)


def _suppliers(target: Path) -> set[str]:
    con = duckdb.connect(str(target), read_only=True)
    try:
        return {r[0] for r in con.execute("select supplier_name from spend").fetchall()}
    finally:
        con.close()


def test_a_second_writer_refuses_clearly_and_a_killed_writers_copy_is_removed(live, tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(live)], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        before = live.read_bytes()
        proc = _load(live, _spend_file(tmp_path, "a.csv", "Refused Ltd"), "--wait", "1")
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 2, (out, err)
        assert f"a test holder (pid {holder.pid}" in err
        assert "is writing this warehouse; gave up after waiting 1 s" in err
        assert live.read_bytes() == before
    finally:
        os.kill(holder.pid, signal.SIGKILL)  # as a writer killed mid-load would be
        holder.wait()
    # what a killed load leaves: its temporary copy and write-ahead log
    orphan = live.with_name(f".{live.name}.loading-99999-deadbeef")
    orphan.write_bytes(b"half a warehouse")
    Path(f"{orphan}.wal").write_bytes(b"log")
    proc = _load(live, _spend_file(tmp_path, "b.csv", "Next Writer Ltd"))
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, (out, err)
    assert "removed 2 temporary copy(ies) a stopped writer left behind" in out
    assert not orphan.exists() and not Path(f"{orphan}.wal").exists()
    assert "Next Writer Ltd" in _suppliers(live)


def test_two_loads_at_once_both_land(live, tmp_path):
    # a holder makes both loads meet at the lock, then lets go
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(live)], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    logs = [tmp_path / "first.err", tmp_path / "second.err"]
    first = _load(live, _spend_file(tmp_path, "first.csv", "First Ltd"), stderr=logs[0])
    second = _load(live, _spend_file(tmp_path, "second.csv", "Second Ltd"), stderr=logs[1])
    waiting = "is writing this warehouse; waiting up to 60 s"
    # let go only once both say they are waiting (on a busy machine starting up takes a while)
    deadline = time.monotonic() + 50
    while time.monotonic() < deadline and not all(
            log.exists() and waiting in log.read_text() for log in logs):
        time.sleep(0.2)
    os.kill(holder.pid, signal.SIGTERM)
    holder.wait()
    results = [p.communicate(timeout=180) for p in (first, second)]
    errors = [log.read_text() for log in logs]
    assert [p.returncode for p in (first, second)] == [0, 0], (results, errors)
    for err in errors:
        assert waiting in err
    assert {"First Ltd", "Second Ltd"} <= _suppliers(live)  # neither result silently lost
    assert not list(live.parent.glob(f".{live.name}.loading-*"))
