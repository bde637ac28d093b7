"""Read-only tools over a built warehouse: run the checks, checksum every table."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import duckdb

from warehouse import settings
from warehouse.build import run_all_checks

# columns that record when or by whom, not what: left out of the content checksum
VOLATILE = {
    "load_log": ("started_at", "finished_at", "loaded_by"),
    "build_info": ("build_id", "built_at"),
}


def table_checksums(path: Path) -> dict[str, str]:
    """sha256 of each table's rows (sorted, volatile columns left out), by table name."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = [r[0] for r in con.execute(
            "select table_name from duckdb_tables() order by table_name").fetchall()]
        out = {}
        for name in names:
            cols = [r[0] for r in con.execute(
                "select column_name from duckdb_columns() where table_name = $t "
                "order by column_index", {"t": name}).fetchall()]
            keep = [c for c in cols if c not in VOLATILE.get(name, ())]
            select = ", ".join(f'"{c}"' for c in keep)
            rows = con.execute(
                f'select {select} from "{name}" order by all').fetchall()  # noqa: S608 - catalogue names
            digest = hashlib.sha256(repr(rows).encode())
            out[name] = digest.hexdigest()
        return out
    finally:
        con.close()


def main_checksum(args) -> int:
    path = Path(args.target or settings.warehouse_path())
    sums = table_checksums(path)
    for name, digest in sums.items():
        print(f"{digest}  {name}")
    total = hashlib.sha256("".join(sums.values()).encode()).hexdigest()
    print(f"{total}  (all tables)")
    return 0


def main_check(args) -> int:
    path = Path(args.target or settings.warehouse_path())
    con = duckdb.connect(str(path), read_only=True)
    try:
        failures, warnings = run_all_checks(con)
    finally:
        con.close()
    for name, rows in warnings.items():
        print(f"warning {name}: {len(rows)} row(s)\n{rows.head(10).to_string()}")
    for name, rows in failures.items():
        print(f"FAILED {name}: {len(rows)} row(s)\n{rows.head(10).to_string()}", file=sys.stderr)
    print("all checks passed" if not failures else f"{len(failures)} check(s) failed")
    return 1 if failures else 0
