"""Run the named SQL files in ``queries/sql`` with bound parameters over a read-only connection.

One SQL statement per file; its header states the grain and the parameters
(``-- params: $area_code, $year``). Values are always bound, never formatted into SQL. The
connection is read-only, with external access, extension loading and configuration changes
locked, and reopened when ``build`` swaps a new warehouse file in.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

SQL_DIR = Path(__file__).resolve().parent / "sql"
PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")
MAX_ROWS = 50_000
QUERY_TIMEOUT_S = 5.0


class QueryError(Exception):
    """A query that could not run: unknown name, wrong parameters, too many rows, too slow."""


class Watchdog:
    """One thread for the whole process that interrupts queries past their time limit
    (a timer thread per query would cost more than most of the queries themselves)."""

    def __init__(self, tick_s: float = 0.1):
        self._tick = tick_s
        self._lock = threading.Lock()
        self._active: dict[int, tuple[float, duckdb.DuckDBPyConnection]] = {}
        self._next = 0
        self._thread: threading.Thread | None = None

    def watch(self, cursor: duckdb.DuckDBPyConnection, seconds: float) -> int:
        with self._lock:
            self._next += 1
            self._active[self._next] = (time.monotonic() + seconds, cursor)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="query-watchdog",
                                                daemon=True)
                self._thread.start()
            return self._next

    def release(self, token: int) -> None:
        with self._lock:
            self._active.pop(token, None)

    def _run(self) -> None:
        while True:
            time.sleep(self._tick)
            now = time.monotonic()
            with self._lock:
                overdue = [c for deadline, c in self._active.values() if deadline < now]
            for cursor in overdue:
                with contextlib.suppress(duckdb.Error):
                    cursor.interrupt()


WATCHDOG = Watchdog()


@dataclass(frozen=True)
class Query:
    name: str
    sql: str
    params: frozenset[str]
    grain: str


def _parse(path: Path) -> Query:
    text = path.read_text(encoding="utf-8")
    header = [line[2:].strip() for line in text.splitlines() if line.startswith("--")]
    declared = next((h for h in header if h.startswith("params:")), "params:")
    params = frozenset(PARAM.findall(declared))
    used = frozenset(PARAM.findall("\n".join(
        line for line in text.splitlines() if not line.startswith("--"))))
    if used != params:
        raise QueryError(f"{path.name}: header declares {sorted(params)} but uses {sorted(used)}")
    grain = next((h for h in header if h.startswith("one row")), "")
    return Query(path.stem, text, params, grain)


QUERIES: dict[str, Query] = {p.stem: _parse(p) for p in sorted(SQL_DIR.glob("*.sql"))}


def _config() -> dict:
    return {
        "access_mode": "READ_ONLY",
        "enable_external_access": False,
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "memory_limit": os.environ.get("QUERY_MEMORY_LIMIT", "1GB"),
        "threads": 1,
        "lock_configuration": True,
    }


class Warehouse:
    """A read-only connection to one warehouse file, reopened when the file is replaced."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._identity: tuple | None = None
        self._version: str | None = None

    def _file_identity(self) -> tuple:
        st = os.stat(self.path)
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def connection(self) -> duckdb.DuckDBPyConnection:
        with self._lock:
            identity = self._file_identity()
            if self._con is None or identity != self._identity:
                if self._con is not None:
                    self._con.close()
                self._con = duckdb.connect(str(self.path), read_only=True, config=_config())
                self._identity = identity
                self._version = None
            return self._con

    def version(self) -> str:
        """The build id of the open file: part of every cache key."""
        con = self.connection()
        if self._version is None:
            self._version = con.cursor().execute(
                "select build_id from build_info").fetchall()[0][0]
        return self._version

    def run(self, name: str, **params) -> pd.DataFrame:
        query = QUERIES.get(name)
        if query is None:
            raise QueryError(f"unknown query {name!r}")
        if set(params) != query.params:
            raise QueryError(f"{name}: expects parameters {sorted(query.params)}, "
                             f"got {sorted(params)}")
        cur = self.connection().cursor()
        token = WATCHDOG.watch(cur, QUERY_TIMEOUT_S)
        try:
            rel = cur.execute(query.sql, params)
            rows = rel.df()
        except duckdb.InterruptException as err:
            raise QueryError(f"{name}: took longer than {QUERY_TIMEOUT_S}s") from err
        finally:
            WATCHDOG.release(token)
            cur.close()
        if len(rows) > MAX_ROWS:
            raise QueryError(f"{name}: more than {MAX_ROWS} rows")
        return rows

    def close(self) -> None:
        with self._lock:
            if self._con is not None:
                self._con.close()
                self._con = None


_warehouses: dict[Path, Warehouse] = {}
_wlock = threading.Lock()
_by_raw: dict[Path, Warehouse] = {}


def warehouse(path: Path | None = None) -> Warehouse:
    """The process's shared Warehouse for ``path`` (default: $WAREHOUSE_PATH)."""
    from warehouse import settings

    raw = Path(path or settings.warehouse_path())
    found = _by_raw.get(raw)  # every request asks: skip resolving the path each time
    if found is not None:
        return found
    path = raw.resolve()
    with _wlock:
        if path not in _warehouses:
            _warehouses[path] = Warehouse(path)
        _by_raw[raw] = _warehouses[path]
        return _warehouses[path]


def run(name: str, **params) -> pd.DataFrame:
    return warehouse().run(name, **params)
