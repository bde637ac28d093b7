"""Shared machinery of every loader: load one file in one transaction, log it, insert rows.

A loader turns one source file into rows of one or more warehouse tables. Every source row
keeps its line number, and its raw text can be recovered, so a refused row can be quarantined
with a reason that names the file, line, column and rule. One file is one transaction.

Reading is in ``reader`` (and ``text`` for bytes and encodings), parsing cells in ``cells``,
quarantine and pandera validation in ``quarantine``; their public names are imported here too,
so loaders import them from one place.
"""

from __future__ import annotations

import contextlib
import getpass
import hashlib
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as arrow

from warehouse.loaders.cells import (  # noqa: F401 - the loaders' one import place
    FY_PATTERN,
    NOT_AVAILABLE,
    dictionary,
    financial_year,
    financial_year_arrow,
    fy_check,
    fy_label,
    fy_of,
    key_schema,
    map_unique,
    not_available,
    only_row_for,
    parse_amount,
    parse_amount_arrow,
    parse_date_arrow,
    parse_uk_date,
    to_fy,
)
from warehouse.loaders.quarantine import Quarantine, validate  # noqa: F401
from warehouse.loaders.reader import (  # noqa: F401
    SourceTable,
    header_labels,
    read_source,
    read_table,
)
from warehouse.loaders.text import (  # noqa: F401
    _BYTES,
    ENCODINGS,
    LoadError,
    _stat_key,
    decode,
    file_sha256,
    read_bytes,
    to_utf8,
)

# bad rows never stop a file's good rows by default: they are quarantined and the good rows
# load; a limit under 1 (``--max-bad-share``, ``MAX_BAD_SHARE``) refuses a file whole above it
DEFAULT_MAX_BAD_SHARE = 1.0
WARN_BAD_SHARE = 0.05  # above this share of bad rows, the load's output says so first
SPECULATE_BYTES = 32 << 20  # files this big are hashed while they are parsed


@dataclass
class LoadResult:
    kind: str
    file_name: str
    sha256: str
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    status: str
    message: str = ""
    rejected: list[dict] = field(default_factory=list)
    load_id: int | None = None  # the file's row in load_log
    # what the loader says about the file (its total, what is not yet allocated ...), also
    # written to the load_log message; ``summary`` holds the same as data
    notes: list[str] = field(default_factory=list)
    summary: dict = field(default_factory=dict)


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def who() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "unknown"


# --- loading ---------------------------------------------------------------------------------
Frame = pd.DataFrame | arrow.Table


@dataclass
class Loader:
    """One source format. ``parse`` returns {table: frame} of good rows and fills the quarantine.

    A frame may be a pandas DataFrame or a pyarrow Table (the fast path for big files).
    """

    kind: str
    tables: tuple[str, ...]
    parse: Callable[[Path, Quarantine, duckdb.DuckDBPyConnection], dict[str, Frame]]
    # column naming the file whose earlier rows a re-issue replaces; None for reference tables,
    # whose rows are replaced key by key (insert or replace)
    replace_key: str | None = "source_file"
    # also replace rows key by key after deleting the file's earlier rows (another file may
    # have loaded the same keys, e.g. a workbook and a long CSV of the same outturn year)
    upsert: bool = False
    # a loader that accepts several formats picks the one for this file
    choose: Callable[[Path], Loader] | None = None
    # run in the file's transaction before its rows are inserted (e.g. to clear rows the
    # file now states in full, such as a service's area shares)
    before_insert: Callable[[duckdb.DuckDBPyConnection, dict[str, Frame]], None] | None = None
    # run in the file's transaction after its rows are inserted, with the file's name: data
    # checks of rules the schema does not declare (e.g. the spend table's key); raising
    # LoadError rolls the file back; sentences it returns join the file's notes
    after_insert: Callable[[duckdb.DuckDBPyConnection, str], list[str] | None] | None = None


def _already_loaded(con: duckdb.DuckDBPyConnection, kind: str, sha: str) -> str | None:
    """The name under which identical content is the latest loaded version, if any."""
    rows = con.execute(
        """
        select file_name from (
            select file_name, file_sha256,
                   row_number() over (partition by file_name order by load_id desc) as rn
            from load_log where kind = $kind and status = 'loaded'
        ) where rn = 1 and file_sha256 = $sha
        """,
        {"kind": kind, "sha": sha},
    ).fetchall()
    return rows[0][0] if rows else None


def load_file(
    con: duckdb.DuckDBPyConnection,
    loader: Loader,
    path: Path,
    max_bad_share: float = DEFAULT_MAX_BAD_SHARE,
    loaded_by: str | None = None,
) -> LoadResult:
    """Load one file in one transaction: log it, load its good rows, quarantine its bad ones.

    The same content (by sha256) loaded again changes nothing but a 'skipped' line in the log;
    a different file with the same name (a corrected re-issue) replaces the rows the earlier
    one loaded. Bad rows do not stop good ones: above ``WARN_BAD_SHARE`` the load says so in a
    warning. Only a file with no good row, or one whose share of bad rows exceeds a
    ``max_bad_share`` the user set under 1, loads nothing; its bad rows are still recorded in
    rejected_row so the refusal can be explained.
    """
    path = Path(path)
    if not path.is_file():
        raise LoadError(f"{path}: no such file")
    if loader.choose is not None:
        loader = loader.choose(path)
    key = path.resolve()
    data = path.read_bytes()
    _BYTES[key] = (_stat_key(path), data)
    try:
        if len(data) < SPECULATE_BYTES:
            return _load_file(con, loader, path, hashlib.sha256(data).hexdigest(),
                              max_bad_share, loaded_by)
        # a big file is hashed in a second thread while it is parsed (hashlib lets go of the
        # GIL); if it turns out to be loaded already, the parse is thrown away
        with ThreadPoolExecutor(max_workers=1) as pool:
            sha = pool.submit(lambda: hashlib.sha256(data).hexdigest())
            return _load_file(con, loader, path, sha, max_bad_share, loaded_by)
    finally:
        _BYTES.pop(key, None)


def _load_file(
    con: duckdb.DuckDBPyConnection,
    loader: Loader,
    path: Path,
    sha: str | Future,
    max_bad_share: float,
    loaded_by: str | None,
) -> LoadResult:
    name = path.name
    loaded_by = loaded_by or who()
    started = now()
    quarantine = Quarantine(name)
    parsed: dict | None = None
    failure: Exception | None = None
    if isinstance(sha, Future):
        try:
            parsed = loader.parse(path, quarantine, con)
        except Exception as err:  # noqa: BLE001 - raised below unless the file is a repeat
            failure = err
        sha = sha.result()
    same = _already_loaded(con, loader.kind, sha)
    load_id = con.execute("select coalesce(max(load_id), 0) + 1 from load_log").fetchall()[0][0]
    if same is not None:
        message = ("identical file already loaded" if same == name
                   else f"identical to {same}, already loaded")
        con.execute(
            "insert into load_log values ($id, $kind, $file, $sha, 0, 0, 0, $start, $end, "
            "'skipped', $by, $msg)",
            {"id": load_id, "kind": loader.kind, "file": name, "sha": sha, "start": started,
             "end": now(), "by": loaded_by, "msg": message},
        )
        return LoadResult(loader.kind, name, sha, 0, 0, 0, "skipped", message, load_id=load_id)
    if failure is not None:
        raise failure
    frames = parsed if parsed is not None else loader.parse(path, quarantine, con)
    rows_read = int(frames.pop("_rows_read", pd.DataFrame({"n": [0]}))["n"].iloc[0])
    notes = list(frames.pop("_notes", []))
    summary = frames.pop("_summary", {})
    n_bad = len(quarantine.lines())
    n_good = rows_read - n_bad
    share = n_bad / rows_read if rows_read else 0.0
    con.execute("begin transaction")
    try:
        if share > max_bad_share or (n_bad and not n_good):
            status = "refused"
            message = (
                f"{name}: {n_bad} of {rows_read} rows ({share:.1%}) failed validation, more than "
                f"the {max_bad_share:.0%} allowed; nothing was loaded from this file"
                if n_good else
                f"{name}: every one of its {rows_read} rows failed validation; nothing was "
                "loaded from this file")
            n_loaded = 0
        else:
            if share > WARN_BAD_SHARE:
                notes.insert(0, f"warning: {n_bad} of {rows_read} rows ({share:.1%}) failed "
                             "validation and were quarantined (their lines and reasons are "
                             f"in rejected_row); the other {n_good} loaded")
            status = "loaded"
            message = f"{n_bad} row(s) quarantined" if n_bad else ""
            if not rows_read:
                message = "no data rows"
            for table in loader.tables if loader.replace_key else ():
                con.execute(
                    f"delete from {table} where {loader.replace_key} = $file",  # noqa: S608 - table names come from the loader's fixed tuple
                    {"file": name},
                )
            if loader.before_insert is not None:
                loader.before_insert(con, frames)
            for table, frame in frames.items():
                if len(frame):
                    insert_frame(con, table, frame,
                                 replace=loader.replace_key is None or loader.upsert)
            if loader.after_insert is not None:
                notes += loader.after_insert(con, name) or []
            n_loaded = n_good
            message = "; ".join(([message] if message else []) + notes)
        con.execute(
            "insert into load_log values ($id, $kind, $file, $sha, $read, $loaded, $bad, $start, "
            "$end, $status, $by, $msg)",
            {"id": load_id, "kind": loader.kind, "file": name, "sha": sha, "read": rows_read,
             "loaded": n_loaded, "bad": n_bad, "start": started, "end": now(), "status": status,
             "by": loaded_by, "msg": message},
        )
        if quarantine.rows:
            rej = pd.DataFrame(sorted(quarantine.rows, key=lambda r: r["line_no"]),
                               columns=["line_no", "column_name", "raw_text", "reason"])
            rej.insert(0, "file_name", name)
            rej.insert(0, "load_id", load_id)
            insert_frame(con, "rejected_row", rej)
        con.execute("commit")
    except duckdb.Error as err:
        con.execute("rollback")
        raise LoadError(f"{name}: {err}") from err
    except Exception:
        con.execute("rollback")
        raise
    rejected = sorted(quarantine.rows, key=lambda r: r["line_no"])
    return LoadResult(loader.kind, name, sha, rows_read, n_loaded, n_bad, status, message,
                      rejected, load_id, notes, summary)


def insert_frame(
    con: duckdb.DuckDBPyConnection, table: str, frame: Frame, replace: bool = False
) -> None:
    """Insert a frame by column name into a warehouse table (table names are code constants).

    With ``replace``, rows whose primary key is already there are updated in place rather
    than deleted and inserted again (``insert or replace``): DuckDB refuses to delete a row
    another table refers to, so a council's mapping could not otherwise be loaded again.
    """
    names = frame.column_names if isinstance(frame, arrow.Table) else list(frame.columns)
    cols = ", ".join(f'"{c}"' for c in names)
    con.register("_incoming", frame)
    try:
        if replace:
            _upsert(con, table, names)
        else:
            con.execute(f"insert into {table} ({cols}) select {cols} from _incoming")  # noqa: S608 - table and column names come from code, never from input
    finally:
        # the transaction may have failed already; the first error is the one to show
        with contextlib.suppress(duckdb.Error):
            con.unregister("_incoming")


def _constraint_columns(con: duckdb.DuckDBPyConnection, table: str, kind: str) -> list[str]:
    rows = con.execute(
        "select constraint_column_names from duckdb_constraints() "
        "where table_name = $t and constraint_type = $k", {"t": table, "k": kind}).fetchall()
    return [c for r in rows for c in r[0]]


def _upsert(con: duckdb.DuckDBPyConnection, table: str, names: list[str]) -> None:
    """Insert the new keys of ``_incoming``; update the other columns of the keys present."""
    key = _constraint_columns(con, table, "PRIMARY KEY")
    cols = ", ".join(f'"{c}"' for c in names)
    if not key or not set(key) <= set(names):
        con.execute(f"insert or replace into {table} ({cols}) select {cols} from _incoming")  # noqa: S608 - code names
        return
    on = " and ".join(f't."{k}" is not distinct from i."{k}"' for k in key)
    # an indexed column (a foreign key) is changed only where it differs: DuckDB rewrites the
    # row for such a change, which it refuses while another table refers to the row
    indexed = set(_constraint_columns(con, table, "FOREIGN KEY"))
    plain = [c for c in names if c not in key and c not in indexed]
    if plain:
        sets = ", ".join(f'"{c}" = i."{c}"' for c in plain)
        con.execute(f"update {table} as t set {sets} from _incoming as i where {on}")  # noqa: S608 - code names
    for col in sorted(indexed & set(names) - set(key)):
        changed = f'{on} and t."{col}" is distinct from i."{col}"'
        try:
            con.execute(f'update {table} as t set "{col}" = i."{col}" from _incoming as i '  # noqa: S608 - code names
                        f"where {changed}")
        except duckdb.ConstraintException as err:
            raise LoadError(f"{table}: cannot change {col} of a row other tables refer to "
                            f"({err}); rebuild the warehouse from the source folder "
                            "instead") from err
    con.execute(f"insert into {table} ({cols}) select {cols} from _incoming as i "  # noqa: S608 - code names
                f"where not exists (select 1 from {table} as t where {on})")


def rows_read_frame(n: int) -> pd.DataFrame:
    return pd.DataFrame({"n": [n]})


def to_bool(values: pd.Series) -> pd.Series:
    """'yes'/'true'/'1'/'y' -> True, 'no'/'false'/'0'/'n' -> False, else missing."""
    s = values.astype("string").str.strip().str.lower()
    out = s.map({"yes": True, "y": True, "true": True, "1": True,
                 "no": False, "n": False, "false": False, "0": False})
    return out.astype("boolean")


def as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value

