"""Build a warehouse file from a source folder, check it, and swap it in atomically.

The new file is written beside the old one under a temporary name; only when every load,
mart and check has succeeded is it renamed over the old file (``os.replace`` is atomic on
one filesystem). A failed build deletes its temporary file and leaves the old one as it was.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from warehouse import settings
from warehouse.loaders import LOADERS, LoadError, load_file
from warehouse.loaders.base import insert_frame, now
from warehouse.writer import WarehouseBusy, temp_copy, writer_lock

HERE = Path(__file__).resolve().parent
SCHEMA = HERE / "schema.sql"
MARTS = HERE / "marts"
CHECKS = HERE / "checks"

# kind -> glob patterns under the source folder, in load order (reference data first)
SOURCE_LAYOUT: list[tuple[str, tuple[str, ...]]] = [
    ("indicator-metadata", ("indicators/indicator_metadata.csv",)),
    ("mapping", ("mapping/mapping.yaml", "mapping/mapping.yml")),
    ("unit-costs", ("unit_costs.csv", "unit_costs/*.csv")),
    ("spillover-links", ("mapping/spillover_links.csv",)),
    ("budget", ("budget/*.csv",)),
    ("activity", ("activity/*.csv",)),
    ("spend", ("spend/*.csv", "spend/*.xlsx", "spend/*.xlsm")),
    ("fingertips", ("indicators/fingertips_*.csv",)),
    ("scenarios", ("scenarios/*.csv",)),
    ("outturn", ("outturn/*.csv", "outturn/*.xlsx")),
    ("ascof", ("ascof/*.csv",)),
]
REQUIRED_KINDS = ("mapping", "indicator-metadata", "spend", "fingertips")


class BuildError(Exception):
    """A build that could not finish; the old warehouse is untouched."""


@dataclass
class BuildReport:
    path: Path
    loads: list
    build_id: str
    # completeness checks that failed: recorded in the load log, they do not stop the build
    warnings: dict = field(default_factory=dict)


def source_files(source: Path) -> list[tuple[str, Path]]:
    files: list[tuple[str, Path]] = []
    for kind, patterns in SOURCE_LAYOUT:
        found = sorted({p for pat in patterns for p in source.glob(pat) if p.is_file()})
        if not found and kind in REQUIRED_KINDS:
            raise BuildError(f"{source}: no {kind} file (looked for {', '.join(patterns)})")
        files.extend((kind, p) for p in found)
    return files


def _tree_sha(files: list[tuple[str, Path]], source: Path) -> str:
    digest = hashlib.sha256()
    for _, p in files:
        digest.update(str(p.relative_to(source)).encode())
        digest.update(p.read_bytes())
    return digest.hexdigest()


def run_sql_files(con: duckdb.DuckDBPyConnection, folder: Path) -> None:
    for sql_file in sorted(folder.glob("*.sql")):
        con.execute(sql_file.read_text(encoding="utf-8"))


_SEVERITY = re.compile(r"^--\s*severity:\s*(\w+)", re.MULTILINE)


def check_severity(sql: str) -> str:
    """'error' (the default: integrity - keys, shares, intervals) or 'warning' (completeness,
    which a council's real data may lack for a while), from a '-- severity:' header line."""
    m = _SEVERITY.search(sql)
    return m[1].lower() if m else "error"


def run_all_checks(
    con: duckdb.DuckDBPyConnection,
) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    """Run every check in warehouse/checks: (failing errors, failing warnings), each mapping
    the check's name to its offending rows."""
    errors: dict[str, pd.DataFrame] = {}
    warnings: dict[str, pd.DataFrame] = {}
    for sql_file in sorted(CHECKS.glob("*.sql")):
        sql = sql_file.read_text(encoding="utf-8")
        rows = con.execute(sql).df()
        if len(rows):
            (warnings if check_severity(sql) == "warning" else errors)[sql_file.stem] = rows
    return errors, warnings


def run_checks(con: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    """The failing error checks (the ones that stop a build or a load) and their rows."""
    return run_all_checks(con)[0]


def describe_checks(checks: dict[str, pd.DataFrame], first: int = 1) -> str:
    return "; ".join(f"{name}: {len(rows)} row(s), first {rows.head(first).to_dict('records')}"
                     for name, rows in checks.items())


def record_warnings(con: duckdb.DuckDBPyConnection, load_ids: list[int],
                    warnings: dict[str, pd.DataFrame]) -> None:
    """Add the failing warning checks to the message of these load_log rows."""
    if not warnings or not load_ids:
        return
    text = "check warning " + describe_checks(warnings)
    con.execute(
        "update load_log set message = case when coalesce(message, '') = '' then $w "
        "else message || '; ' || $w end where list_contains($ids, load_id)",
        {"w": text, "ids": load_ids})


def load_deflators(con: duckdb.DuckDBPyConnection) -> None:
    from indicators.cost import default_base_year, deflator_source, deflator_table

    table = deflator_table(default_base_year())
    frame = pd.DataFrame({
        "financial_year": table["financial_year"],
        "deflator": table["index"],
        "base_year": table.attrs["base_year"],
        "release": deflator_source().split(".")[0][:200],
    })
    insert_frame(con, "gdp_deflator", frame)


def populate(con: duckdb.DuckDBPyConnection, source: Path, max_bad_share: float,
             strict: bool = True) -> list:
    """Create the schema in ``con`` and load every source file; return the load results."""
    con.execute(SCHEMA.read_text(encoding="utf-8"))
    load_deflators(con)
    results = []
    files = source_files(source)
    for kind, path in files:
        result = load_file(con, LOADERS[kind], path, max_bad_share=max_bad_share)
        if result.status == "refused" and strict:
            raise BuildError(result.message)
        results.append(result)
    return results


def write_marts(con: duckdb.DuckDBPyConnection) -> None:
    from warehouse import marts

    for table in [r[0] for r in con.execute(
            "select table_name from duckdb_tables() where table_name like 'mart_%'").fetchall()]:
        con.execute(f"drop table {table}")  # names come from the catalogue, not input
    run_sql_files(con, MARTS)
    marts.write_python_marts(con)


def build(
    source: Path | None = None,
    target: Path | None = None,
    max_bad_share: float | None = None,
    seed: int | None = None,
    wait_s: float | None = None,
) -> BuildReport:
    """Build ``target`` from ``source`` (the demo borough when None), then swap it in.

    Holds the warehouse's writer lock throughout (``warehouse/writer.py``): another build or
    load of ``target`` waits, or this one waits up to ``wait_s`` seconds for it.
    """
    target = Path(target or settings.warehouse_path())
    if source is None:
        from warehouse import demo

        source = settings.demo_source_dir()
        if not (source / "README.txt").exists():
            demo.generate(source, seed=seed or demo.SEED)
    source = Path(source)
    max_bad = settings.max_bad_share() if max_bad_share is None else max_bad_share
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with writer_lock(target, "build", wait_s):
            return _build_copy(source, target, max_bad)
    except WarehouseBusy as err:
        raise BuildError(str(err)) from err


def _build_copy(source: Path, target: Path, max_bad: float) -> BuildReport:
    tmp = temp_copy(target, "building", uuid.uuid4().hex[:8])
    build_id = uuid.uuid4().hex
    try:
        con = duckdb.connect(str(tmp))
        try:
            files = source_files(source)
            results = populate(con, source, max_bad)
            write_marts(con)
            failures, warnings = run_all_checks(con)
            if failures:
                raise BuildError(f"data checks failed: {describe_checks(failures)}")
            record_warnings(con, _loaded_ids(con), warnings)
            info = _build_info(con, build_id, _tree_sha(files, source), source)
            insert_frame(con, "build_info", info)
            con.execute("checkpoint")
        finally:
            con.close()
        os.replace(tmp, target)
    except (LoadError, duckdb.Error) as err:
        _remove(tmp)
        raise BuildError(str(err)) from err
    except BaseException:
        _remove(tmp)
        raise
    return BuildReport(target, results, build_id, warnings)


def _loaded_ids(con: duckdb.DuckDBPyConnection) -> list[int]:
    return [r[0] for r in con.execute(
        "select load_id from load_log where status = 'loaded' order by load_id").fetchall()]


def _build_info(con, build_id: str, sha: str, source: Path) -> pd.DataFrame:
    borough = con.execute(
        "select geo_code, geo_name from geography where geo_role = 'borough'").fetchall()[0]
    latest = con.execute("select max(financial_year) from mart_area_year").fetchall()[0][0]
    is_demo = (source / "README.txt").exists() and "demo" in (source / "README.txt").read_text()
    return pd.DataFrame([{
        "build_id": build_id, "built_at": now(), "source_dir_sha256": sha,
        "borough_code": borough[0], "borough_name": borough[1], "is_demo": is_demo,
        "latest_year": latest,
    }])


def _remove(path: Path) -> None:
    for p in (path, Path(str(path) + ".wal")):
        p.unlink(missing_ok=True)


def main_build(args) -> int:
    try:
        report = build(args.source, args.target, args.max_bad_share,
                       wait_s=getattr(args, "wait", None))
    except BuildError as err:
        print(f"build failed: {err}", file=sys.stderr)
        print("the existing warehouse (if any) was left as it was", file=sys.stderr)
        return 1
    quarantined = sum(r.rows_quarantined for r in report.loads)
    loaded = sum(r.rows_loaded for r in report.loads)
    print(f"built {report.path}: {len(report.loads)} files, {loaded} rows loaded, "
          f"{quarantined} quarantined")
    for name, rows in report.warnings.items():
        print(f"check warning {name}: {len(rows)} row(s), first "
              f"{rows.head(3).to_dict('records')} (recorded in load_log)")
    return 0
