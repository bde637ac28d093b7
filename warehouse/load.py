"""``python -m warehouse load KIND FILE...``: load published files into the live warehouse.

The dashboard's workers hold the warehouse file open read-only, so a load never writes to it
in place. It copies the file to a temporary file beside it, loads each file into the copy (one
transaction per file, through the same loaders ``build`` uses), rebuilds the marts, runs the
data checks, and only then renames the copy over the original (``os.replace`` is atomic on one
filesystem). Any failure - a file that cannot be read, a file refused for too many bad rows,
a failed integrity check - deletes the copy and leaves the original byte-for-byte as it was.
Checks marked ``-- severity: warning`` (completeness: say, a year of spend with no outcome
data yet) do not stop the load; they are printed and added to the load_log message of each
file the load loaded. Loading
files that are all already loaded (same sha256) changes nothing at all.

A lock file beside the warehouse keeps two writers (loads or builds) from racing: the second
one waits its turn for up to a minute (``--wait``), saying so, then gives up; temporary copies
left by a killed writer are removed by the next one (``warehouse/writer.py``).

Run ``python -m warehouse.load --help`` for the options, including ``--authority`` for the
outturn kind (an E-code such as E5011 or an ONS code such as E09000007).
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import os
import shutil
import sys
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import duckdb

from warehouse import settings
from warehouse.loaders import LOADERS, LoadError, LoadResult, load_file
from warehouse.loaders.base import Loader
from warehouse.writer import WarehouseBusy, temp_copy, writer_lock

SHOW_REJECTED = 5


class LoadCommandError(Exception):
    """The load could not run or did not finish; the warehouse is as it was."""


@dataclass
class FileOutcome:
    path: Path
    result: LoadResult | None = None
    error: str | None = None

    @property
    def status(self) -> str:
        return "failed" if self.result is None else self.result.status


@dataclass
class LoadReport:
    target: Path
    kind: str
    files: list[FileOutcome] = field(default_factory=list)
    swapped: bool = False
    check_failures: dict = field(default_factory=dict)
    # completeness checks that failed: recorded in the load log, they do not stop the load
    check_warnings: dict = field(default_factory=dict)
    message: str = ""

    @property
    def ok(self) -> bool:
        return not self.check_failures and all(
            f.status in ("loaded", "skipped") for f in self.files)


def loader_for(kind: str, authority: str | None = None, period: str | None = None) -> Loader:
    """The loader of a kind; the outturn kind can be narrowed to one authority, and spend
    files without usable dates given the period of all their payments."""
    if kind not in LOADERS:
        raise LoadCommandError(f"unknown kind '{kind}'; the kinds are: {', '.join(LOADERS)}")
    if period:
        if kind != "spend":
            raise LoadCommandError("--period applies to the spend kind only")
        from warehouse.loaders.spend_report import parse_period

        try:
            day = parse_period(period)
        except LoadError as err:
            raise LoadCommandError(str(err)) from err
        return dataclasses.replace(LOADERS[kind],
                                   parse=functools.partial(LOADERS[kind].parse, period=day))
    if authority:
        if kind != "outturn":
            raise LoadCommandError("--authority applies to the outturn kind only")
        from warehouse.loaders import outturn

        return outturn.make_loader(authority)
    return LOADERS[kind]


def _remove(path: Path) -> None:
    for p in (path, Path(f"{path}.wal")):
        p.unlink(missing_ok=True)


def add_missing_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Create the tables schema.sql has and this (older) warehouse lacks; return their names."""
    from warehouse.build import SCHEMA

    have = {r[0] for r in con.execute(
        "select table_name from duckdb_tables() where database_name = current_database()"
    ).fetchall()}
    scratch = duckdb.connect()
    try:
        scratch.execute(SCHEMA.read_text(encoding="utf-8"))
        wanted = scratch.execute(
            "select table_name, sql from duckdb_tables() order by estimated_size, table_name"
        ).fetchall()
    finally:
        scratch.close()
    added = []
    for name, ddl in wanted:
        if name not in have:
            con.execute(ddl)
            added.append(name)
    _upgrade_spend(con)
    _upgrade_indicator(con)
    return added


def _upgrade_indicator(con: duckdb.DuckDBPyConnection) -> None:
    """A warehouse built before indicators carried their comparison method: every indicator
    gets the Fingertips default, 95%, until its metadata is loaded again."""
    cols = {r[0] for r in con.execute(
        "select column_name from information_schema.columns "
        "where table_name = 'indicator' and table_schema = current_schema()").fetchall()}
    if cols and "comparison_method" not in cols:
        con.execute("alter table indicator add column comparison_method varchar "
                    "default 'interval'")
        con.execute("alter table indicator add column comparison_level double default 0.95")


def _upgrade_spend(con: duckdb.DuckDBPyConnection) -> None:
    """A warehouse built before spend could be held as not yet allocated: service_code may be
    null now, and text_marks says when a supplier or expense type is blank or redacted."""
    cols = dict(con.execute(
        "select column_name, is_nullable from information_schema.columns "
        "where table_name = 'spend' and table_schema = current_schema()").fetchall())
    if cols and "text_marks" not in cols:
        con.execute("alter table spend add column text_marks varchar")
    if cols.get("service_code") == "NO":
        con.execute("alter table spend alter column service_code drop not null")


def load_into_warehouse(
    kind: str,
    files: Sequence[Path],
    target: Path | None = None,
    max_bad_share: float | None = None,
    authority: str | None = None,
    loaded_by: str | None = None,
    period: str | None = None,
    wait_s: float | None = None,
) -> LoadReport:
    """Load ``files`` of one kind into a copy of ``target``; swap it in only if all went well.

    Waits up to ``wait_s`` seconds (default 60) for another writer of ``target`` to finish.
    """
    target = Path(target or settings.warehouse_path())
    max_bad = settings.max_bad_share() if max_bad_share is None else max_bad_share
    if not 0 <= max_bad <= 1:
        raise LoadCommandError(f"--max-bad-share must be between 0 and 1, not {max_bad}")
    loader = loader_for(kind, authority, period)
    if not target.is_file():
        raise LoadCommandError(f"{target}: no warehouse here; run 'python -m warehouse build' "
                               "first")
    missing = [str(f) for f in files if not Path(f).is_file()]
    if missing:
        raise LoadCommandError(f"no such file: {', '.join(missing)}")
    report = LoadReport(target=target, kind=kind)
    try:
        with writer_lock(target, f"load {kind}", wait_s) as removed:
            if removed:
                report.message = (f"removed {len(removed)} temporary copy(ies) a stopped "
                                  "writer left behind")
            _load_copy(report, loader, files, max_bad, loaded_by)
    except WarehouseBusy as err:
        raise LoadCommandError(str(err)) from err
    return report


def _load_copy(report: LoadReport, loader: Loader, files: Sequence[Path], max_bad: float,
               loaded_by: str | None) -> None:
    """Copy the warehouse, load the files into the copy, check it, and swap it in."""
    from warehouse.build import record_warnings, run_all_checks, write_marts

    target = report.target
    tmp = temp_copy(target, "loading", uuid.uuid4().hex[:8])
    try:
        shutil.copyfile(target, tmp)
        if Path(f"{target}.wal").exists():
            shutil.copyfile(f"{target}.wal", f"{tmp}.wal")
        con = duckdb.connect(str(tmp))
        try:
            add_missing_tables(con)
            for path in files:
                outcome = FileOutcome(Path(path))
                try:
                    outcome.result = load_file(con, loader, Path(path),
                                               max_bad_share=max_bad, loaded_by=loaded_by)
                except LoadError as err:
                    outcome.error = str(err)
                report.files.append(outcome)
            changed = any(f.status == "loaded" for f in report.files)
            if report.ok and changed:
                write_marts(con)
                report.check_failures, report.check_warnings = run_all_checks(con)
            if report.ok and changed:
                record_warnings(con, [f.result.load_id for f in report.files
                                      if f.status == "loaded"], report.check_warnings)
                # a new version of the data: the dashboard's caches are keyed by this id
                con.execute("update build_info set build_id = $id", {"id": uuid.uuid4().hex})
                con.execute("checkpoint")
        finally:
            con.close()
        if report.ok and changed:
            os.replace(tmp, target)
            report.swapped = True
            # a log left by a writer that crashed is in the copy now; the new file must not
            # have it replayed on top
            Path(f"{tmp}.wal").unlink(missing_ok=True)
            Path(f"{target}.wal").unlink(missing_ok=True)
        elif report.ok:
            report.message = "nothing new to load: the warehouse is unchanged"
    finally:
        if not report.swapped:
            _remove(tmp)


def format_report(report: LoadReport, show: int = SHOW_REJECTED) -> str:
    """The per-file summary printed by the command."""
    lines = []
    for f in report.files:
        name = f.path.name
        if f.result is None:
            lines.append(f"{name}: FAILED - {f.error}")
            continue
        r = f.result
        lines.append(f"{name}: {r.status} - {r.rows_read} read, {r.rows_loaded} loaded, "
                     f"{r.rows_quarantined} quarantined"
                     + (f" ({r.message})" if r.message and r.status != "loaded" else ""))
        for note in r.notes:
            lines.append(f"    {note}")
        for q in r.rejected[:show]:
            lines.append(f"    {name}:{q['line_no']}: {q['reason']}")
        if len(r.rejected) > show:
            lines.append(f"    ... and {len(r.rejected) - show} more "
                         "(see the rejected_row table)" if report.swapped else
                         f"    ... and {len(r.rejected) - show} more")
    for check, rows in report.check_failures.items():
        lines.append(f"check FAILED {check}: {len(rows)} row(s), first "
                     f"{rows.head(3).to_dict('records')}")
    for check, rows in report.check_warnings.items():
        lines.append(f"check warning {check}: {len(rows)} row(s), first "
                     f"{rows.head(3).to_dict('records')}"
                     + (" (recorded in load_log)" if report.swapped else ""))
    if report.swapped:
        lines.append(f"loaded into {report.target}")
        if report.message:
            lines.append(report.message)
    elif report.message:
        lines.append(report.message)
    else:
        lines.append(f"nothing was loaded: {report.target} is unchanged")
    return "\n".join(lines)


def run(kind: str, files: Sequence[Path], target: Path | None = None,
        max_bad_share: float | None = None, authority: str | None = None,
        out: TextIO | None = None, err: TextIO | None = None,
        period: str | None = None, wait_s: float | None = None) -> int:
    """Load and print the summary; 0 when every file loaded (or was already loaded), else 1."""
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        report = load_into_warehouse(kind, files, target, max_bad_share, authority,
                                     period=period, wait_s=wait_s)
    except LoadCommandError as e:
        print(f"load failed: {e}", file=err)
        return 2
    except (LoadError, duckdb.Error) as e:
        print(f"load failed: {e}\nthe warehouse was left as it was", file=err)
        return 1
    text = format_report(report)
    print(text, file=out if report.ok else err)
    return 0 if report.ok else 1


def main_load(args: argparse.Namespace) -> int:
    """Entry point of ``python -m warehouse load`` (args: kind, files, target, max_bad_share)."""
    return run(args.kind, args.files, args.target, args.max_bad_share,
               getattr(args, "authority", None), period=getattr(args, "period", None),
               wait_s=getattr(args, "wait", None))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m warehouse.load",
        description="Load files of one kind into the warehouse (copy, load, check, swap).")
    parser.add_argument("kind", help=f"one of: {', '.join(LOADERS)}")
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--target", type=Path, default=None, help="default: $WAREHOUSE_PATH")
    parser.add_argument("--max-bad-share", type=float, default=None,
                        help="refuse a file whose share of bad rows is above this "
                             "(default: $MAX_BAD_SHARE, 1: never; bad rows are quarantined "
                             "and the good rows load)")
    parser.add_argument("--authority", default=None,
                        help="outturn only: the authority's E-code (E5011) or ONS code "
                             "(E09000007); default: every authority in the file")
    parser.add_argument("--period", default=None,
                        help="spend only: the month (YYYY-MM) or day (YYYY-MM-DD) of every "
                             "payment of a file whose date column holds no usable date")
    return main_load(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
