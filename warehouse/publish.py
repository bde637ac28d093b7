"""Make the public warehouse file: published rows only, in a new file built from the schema.

Rows are copied into a fresh file rather than deleted from a copy, so nothing unpublished can
survive in free pages of the file. Left out: draft budgets and any budget row not marked
published, unpublished scenarios, quarantined rows, and the internal notes of the load log
(who loaded a file and the loader's messages).
"""

from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

import duckdb

from warehouse import settings
from warehouse.build import SCHEMA

# table -> the filter that keeps only published rows (None: every row is public)
PUBLIC_FILTERS: dict[str, str | None] = {
    "organisation": None,
    "department": None,
    "service": None,
    "investment_area": None,
    "service_allocation": None,
    "spend_mapping": None,
    "spend": None,
    "budget": "published and version <> 'draft'",
    "service_activity": None,
    "indicator": None,
    "indicator_value": None,
    "outcome_link": None,
    "geography": None,
    "unit_cost": None,
    "spillover_link": None,
    "gdp_deflator": None,
    "scenario": "status = 'published'",
    "scenario_change": "scenario_id in (select scenario_id from src.scenario "
                       "where status = 'published')",
    "build_info": None,
    "spend_expense_mapping": None,
    "spend_column_map": None,
    "outturn": None,
    "ascof_value": None,
    "nhs_unit_cost": None,
}
# copied with the internal columns blanked
REDACTED = {
    "load_log": "select load_id, kind, file_name, file_sha256, rows_read, rows_loaded, "
                "rows_quarantined, started_at, finished_at, status, 'the council' as loaded_by, "
                "null as message from src.load_log",
}
EMPTY = ("rejected_row",)


def publish(source: Path, out: Path) -> Path:
    """Write the public file ``out`` from the internal warehouse ``source``; atomic."""
    source, out = Path(source), Path(out)
    if not source.exists():
        raise FileNotFoundError(f"{source}: no warehouse to publish (run build first)")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.publishing-{uuid.uuid4().hex[:8]}")
    try:
        con = duckdb.connect(str(tmp))
        try:
            con.execute(SCHEMA.read_text(encoding="utf-8"))
            con.execute(f"attach '{source}' as src (read_only)")  # noqa: S608 - a path the operator gave
            for table, where in PUBLIC_FILTERS.items():
                clause = f" where {where}" if where else ""
                con.execute(f"insert into {table} select * from src.{table}{clause}")  # noqa: S608 - fixed names
            for table, select in REDACTED.items():
                con.execute(f"insert into {table} {select}")  # noqa: S608 - fixed text
            marts = [r[0] for r in con.execute(
                "select table_name from duckdb_tables() where database_name = 'src' "
                "and table_name like 'mart_%' order by table_name").fetchall()]
            for mart in marts:
                con.execute(f"create table {mart} as select * from src.{mart}")  # noqa: S608 - catalogue names
            con.execute("detach src")
            con.execute("checkpoint")
        finally:
            con.close()
        os.replace(tmp, out)
    except BaseException:
        for p in (tmp, Path(str(tmp) + ".wal")):
            p.unlink(missing_ok=True)
        raise
    return out


def main_publish(args) -> int:
    source = Path(args.source or settings.warehouse_path())
    try:
        out = publish(source, args.out)
    except (FileNotFoundError, duckdb.Error) as err:
        print(f"publish failed: {err}", file=sys.stderr)
        return 1
    print(f"published {out} from {source}")
    return 0
