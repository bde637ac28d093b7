"""Shared machinery of every loader: read a messy file, validate with pandera, quarantine.

A loader turns one source file into rows of one or more warehouse tables. Every source row
keeps its line number and raw text, so a refused row can be quarantined with a reason that
names the file, line, column and rule. One file is one transaction.
"""

from __future__ import annotations

import csv
import getpass
import hashlib
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pandera.pandas as pa

DEFAULT_MAX_BAD_SHARE = 0.05
ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")


class LoadError(Exception):
    """A file that cannot be loaded at all; the message names the file (and line, column)."""


@dataclass
class SourceTable:
    """A source file read as text: header, rows of strings, their line numbers and raw text."""

    path: Path
    encoding: str
    header_line: int
    frame: pd.DataFrame  # canonical column names, str values, plus _line and _raw


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


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def decode(path: Path) -> tuple[str, str]:
    """Return the file's text and the encoding that read it (UTF-8, then Windows-1252, Latin-1)."""
    data = path.read_bytes()
    if not data.strip():
        raise LoadError(f"{path.name}: the file is empty")
    if b"\x00" in data[:4096]:
        raise LoadError(f"{path.name}: this is not a text file (it contains NUL bytes)")
    for enc in ENCODINGS:
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    raise LoadError(f"{path.name}: cannot decode as UTF-8 or Latin-1")  # pragma: no cover


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", name.lower()).strip()


def read_table(
    path: Path,
    columns: dict[str, tuple[str, ...]],
    optional: Iterable[str] = (),
    max_preamble: int = 40,
) -> SourceTable:
    """Read a CSV whose header may follow a preamble; map column-name variants to canonical names.

    ``columns`` maps each canonical name to the accepted header spellings. The header row is
    the first line that holds every required column; a missing one is an error naming it.
    """
    path = Path(path)
    text, encoding = decode(path)
    lines = text.splitlines()
    optional = set(optional)
    wanted = {canon: {_norm(a) for a in (canon, *aliases)} for canon, aliases in columns.items()}
    required = [c for c in columns if c not in optional]
    best: tuple[int, list[str]] | None = None
    header_idx = None
    header: list[str] = []
    for idx, line in enumerate(lines[:max_preamble]):
        cells = next(csv.reader([line]), [])
        normed = {_norm(c) for c in cells}
        found = [c for c in required if wanted[c] & normed]
        if best is None or len(found) > len(best[1]):
            best = (idx, found)
        if len(found) == len(required):
            header_idx, header = idx, cells
            break
    if header_idx is None:
        idx, found = best if best else (0, [])
        missing = [c for c in required if c not in found]
        raise LoadError(
            f"{path.name}: line {idx + 1}: missing required column(s) "
            + ", ".join(f"'{m}'" for m in missing)
            + f" (accepted names: "
            + "; ".join(f"{m}: {', '.join((m, *columns[m]))}" for m in missing)
            + ")"
        )
    positions: dict[str, int] = {}
    for pos, cell in enumerate(header):
        key = _norm(cell)
        for canon, names in wanted.items():
            if key in names and canon not in positions:
                positions[canon] = pos
    records: list[dict] = []
    body = "\n".join(lines[header_idx + 1 :])
    reader = csv.reader(io.StringIO(body))
    width = len(header)
    for offset, cells in enumerate(reader):
        line_no = header_idx + 2 + offset
        if not cells or not any(c.strip() for c in cells):
            continue
        raw = ",".join(cells)
        rec = {c: (cells[p].strip() if p < len(cells) else None) for c, p in positions.items()}
        rec["_line"] = line_no
        rec["_raw"] = raw
        rec["_width"] = len(cells) == width
        records.append(rec)
    frame = pd.DataFrame.from_records(
        records, columns=[*positions.keys(), "_line", "_raw", "_width"]
    )
    for canon in columns:
        if canon not in frame.columns:
            frame[canon] = None
    return SourceTable(path=path, encoding=encoding, header_line=header_idx + 1, frame=frame)


_AMOUNT_JUNK = re.compile(r"[£,\s]|GBP", re.IGNORECASE)


def parse_amount(values: pd.Series) -> pd.Series:
    """Parse '£1,234.50', '(500.00)' and '-500' into floats; anything else becomes NaN."""
    s = values.astype("string").fillna("")
    negative = s.str.match(r"^\s*\(.*\)\s*$") | s.str.strip().str.endswith("CR")
    cleaned = s.str.replace(_AMOUNT_JUNK, "", regex=True).str.strip("()").str.removesuffix("CR")
    out = pd.to_numeric(cleaned.where(cleaned.str.fullmatch(r"-?\d+(\.\d+)?")), errors="coerce")
    return out.where(~negative, -out.abs()).astype("float64")


def parse_uk_date(values: pd.Series) -> pd.Series:
    """Parse UK dates (dd/mm/yyyy, dd-mm-yy, dd-Mon-yyyy, ISO yyyy-mm-dd); others become NaT."""
    s = values.astype("string").fillna("").str.strip()
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    for fmt in ("%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d-%b-%Y", "%d-%b-%y", "%d %b %Y", "%Y-%m-%d"):
        todo = out.isna() & (s != "")
        if not todo.any():
            break
        out.loc[todo] = pd.to_datetime(s[todo], format=fmt, errors="coerce")
    return out


def financial_year(dates: pd.Series) -> pd.Series:
    """UK financial year ('2023/24') of each date; April starts the year."""
    d = pd.to_datetime(dates)
    start = d.dt.year - (d.dt.month < 4).astype("int64")
    return (start.astype("string") + "/" + ((start + 1) % 100).astype("string").str.zfill(2)).where(
        d.notna()
    )


FY_PATTERN = r"^\d{4}/\d{2}$"


def fy_check() -> pa.Check:
    return pa.Check.str_matches(FY_PATTERN, error="a financial year written like 2023/24")


@dataclass
class Quarantine:
    """Collects refused rows: line, column, raw text and the rule they broke."""

    file_name: str
    rows: list[dict] = field(default_factory=list)

    def add(self, frame: pd.DataFrame, mask: pd.Series, column: str | None, reason: str) -> None:
        for line, raw in zip(frame.loc[mask, "_line"], frame.loc[mask, "_raw"], strict=True):
            self.rows.append(
                {"line_no": int(line), "column_name": column, "raw_text": raw, "reason": reason}
            )

    def lines(self) -> set[int]:
        return {r["line_no"] for r in self.rows}


def validate(
    frame: pd.DataFrame, schema: pa.DataFrameSchema, quarantine: Quarantine
) -> pd.DataFrame:
    """Validate with a pandera schema; quarantine every failing row and return the rest."""
    try:
        schema.validate(frame, lazy=True)
        return frame
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases
    bad_idx: set = set()
    frame_level: list[str] = []
    for case in cases.itertuples(index=False):
        idx = case.index
        if idx is None or (isinstance(idx, float) and np.isnan(idx)):
            frame_level.append(f"column '{case.column}': {case.check}")
            continue
        if idx in bad_idx:
            continue
        bad_idx.add(idx)
        row = frame.loc[[idx]]
        shown = "missing" if pd.isna(case.failure_case) else repr(case.failure_case)
        quarantine.add(
            row,
            pd.Series(True, index=row.index),
            str(case.column),
            f"column '{case.column}': {shown} fails {case.check}",
        )
    if frame_level:
        raise LoadError(f"{quarantine.file_name}: " + "; ".join(sorted(set(frame_level))))
    return frame.drop(index=list(bad_idx))


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def who() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "unknown"


@dataclass
class Loader:
    """One source format. ``parse`` returns {table: frame} of good rows and fills the quarantine."""

    kind: str
    tables: tuple[str, ...]
    parse: Callable[[Path, Quarantine, duckdb.DuckDBPyConnection], dict[str, pd.DataFrame]]
    # column naming the file whose earlier rows a re-issue replaces; None for reference tables,
    # whose rows are replaced key by key (insert or replace)
    replace_key: str | None = "source_file"


def load_file(
    con: duckdb.DuckDBPyConnection,
    loader: Loader,
    path: Path,
    max_bad_share: float = DEFAULT_MAX_BAD_SHARE,
    loaded_by: str | None = None,
) -> LoadResult:
    """Load one file in one transaction: log it, quarantine bad rows, refuse it whole if too many.

    The same file (by sha256) loaded again changes nothing; a different file with the same
    name (a corrected re-issue) replaces the rows the earlier one loaded.
    """
    path = Path(path)
    if not path.is_file():
        raise LoadError(f"{path}: no such file")
    sha = file_sha256(path)
    name = path.name
    loaded_by = loaded_by or who()
    started = now()
    seen = con.execute(
        "select count(*) from load_log where file_sha256 = $sha and kind = $kind and status = 'loaded'",
        {"sha": sha, "kind": loader.kind},
    ).fetchall()[0][0]
    load_id = con.execute("select coalesce(max(load_id), 0) + 1 from load_log").fetchall()[0][0]
    if seen:
        con.execute(
            "insert into load_log values ($id, $kind, $file, $sha, 0, 0, 0, $start, $end, "
            "'skipped', $by, 'identical file already loaded')",
            {"id": load_id, "kind": loader.kind, "file": name, "sha": sha, "start": started,
             "end": now(), "by": loaded_by},
        )
        return LoadResult(loader.kind, name, sha, 0, 0, 0, "skipped", "identical file already loaded")

    quarantine = Quarantine(name)
    frames = loader.parse(path, quarantine, con)
    rows_read = int(frames.pop("_rows_read", pd.DataFrame({"n": [0]}))["n"].iloc[0])
    n_bad = len(quarantine.lines())
    n_good = rows_read - n_bad
    share = n_bad / rows_read if rows_read else 0.0
    con.execute("begin transaction")
    try:
        if share > max_bad_share:
            status = "refused"
            message = (
                f"{name}: {n_bad} of {rows_read} rows ({share:.1%}) failed validation, more than "
                f"the {max_bad_share:.0%} allowed; nothing was loaded from this file"
            )
            n_loaded = 0
        else:
            status = "loaded"
            message = f"{n_bad} row(s) quarantined" if n_bad else ""
            for table in loader.tables if loader.replace_key else ():
                con.execute(
                    f"delete from {table} where {loader.replace_key} = $file",  # noqa: S608 - table names come from the loader's fixed tuple
                    {"file": name},
                )
            for table, frame in frames.items():
                if len(frame):
                    insert_frame(con, table, frame, replace=loader.replace_key is None)
            n_loaded = n_good
        con.execute(
            "insert into load_log values ($id, $kind, $file, $sha, $read, $loaded, $bad, $start, "
            "$end, $status, $by, $msg)",
            {"id": load_id, "kind": loader.kind, "file": name, "sha": sha, "read": rows_read,
             "loaded": n_loaded, "bad": n_bad, "start": started, "end": now(), "status": status,
             "by": loaded_by, "msg": message},
        )
        if quarantine.rows:
            rej = pd.DataFrame(quarantine.rows)
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
    return LoadResult(loader.kind, name, sha, rows_read, n_loaded, n_bad, status, message,
                      quarantine.rows)


def insert_frame(
    con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, replace: bool = False
) -> None:
    """Insert a DataFrame by column name into a warehouse table (table names are code constants)."""
    cols = ", ".join(f'"{c}"' for c in frame.columns)
    verb = "insert or replace into" if replace else "insert into"
    con.register("_incoming", frame)
    try:
        con.execute(f"{verb} {table} ({cols}) select {cols} from _incoming")  # noqa: S608 - table and column names come from code, never from input
    finally:
        try:
            con.unregister("_incoming")
        except duckdb.Error:  # the transaction already failed; the first error is the one to show
            pass


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
