"""``python -m warehouse inspect FILE``: how a spend file will be read, without touching the
warehouse.

It says which header each column is read from, the kind and sample values of each, the
encoding and date format found, the rows, the file's total, the total rows skipped, and the
labels no mapping of the warehouse places yet, with their pounds. The warehouse (if there is
one) is opened read-only for its mappings; nothing is written to it. With
``--mapping-template OUT`` it writes a mapping file for those labels, suggesting a service
where the label resembles a service's name or SeRCOP line, for the analyst to check.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from collections import Counter
from pathlib import Path
from typing import TextIO

import duckdb
import pyarrow.compute as pc
import yaml

from warehouse import settings
from warehouse.loaders.base import LoadError, Quarantine, read_source
from warehouse.loaders.spend import (
    COLUMNS,
    KEYWORDS,
    OPTIONAL,
    column_map,
    label_key,
    organisational,
    parse,
)
from warehouse.loaders.spend_report import pounds

KINDS = {"payment_date": "date", "amount_gbp": "amount", "department_label": "label",
         "service_area_label": "label", "expense_type": "label"}
SUGGEST_AT = 0.6  # similarity (difflib ratio) from which a service is suggested
_FORMATS = [
    (re.compile(r"^\d{1,2}/\d{1,2}/\d{4}$"), "dd/mm/yyyy"),
    (re.compile(r"^\d{1,2}/\d{1,2}/\d{2}$"), "dd/mm/yy"),
    (re.compile(r"^\d{1,2}\.\d{1,2}\.\d{4}$"), "dd.mm.yyyy"),
    (re.compile(r"^\d{1,2}-\d{1,2}-\d{4}$"), "dd-mm-yyyy"),
    (re.compile(r"^\d{1,2}[- ][A-Za-z]{3}[- ]\d{2}$"), "dd-Mon-yy"),
    (re.compile(r"^\d{1,2}[- ][A-Za-z]{3,9}[- ]\d{4}$"), "dd-Mon-yyyy"),
    (re.compile(r"^\d{4}-\d{2}-\d{2}$"), "yyyy-mm-dd"),
    (re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?"), "yyyy-mm-dd hh:mm:ss"),
    (re.compile(r"^\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}"), "dd/mm/yyyy hh:mm"),
    (re.compile(r"^\d{4}/\d{1,2}/\d{1,2}"), "yyyy/mm/dd"),
    (re.compile(r"^(19|20)\d{6}$"), "yyyymmdd"),
    (re.compile(r"^\d{5}(\.\d+)?$"), "Excel day number"),
    (re.compile(r"^[A-Za-z]{3,9}\.?[ \-/,]*\d{2,4}$"), "a month (Mon yyyy)"),
    (re.compile(r"^\d{4}[-/]\d{1,2}$"), "a month (yyyy-mm)"),
    (re.compile(r"^0?0:00(:00)?$"), "a time alone (no date)"),
]


def date_format(texts: list[str]) -> str:
    """The commonest date layout among the texts ('dd/mm/yyyy', ...), or 'not recognised'."""
    seen: Counter[str] = Counter()
    for t in texts:
        s = (t or "").strip()
        if not s:
            continue
        seen[next((name for rx, name in _FORMATS if rx.match(s)), "not recognised")] += 1
    if not seen:
        return "no dates"
    return ", ".join(f"{name} ({n})" for name, n in seen.most_common(3))


def _connect(target: Path | None) -> duckdb.DuckDBPyConnection:
    """The warehouse, read-only, for its mappings; an empty one when there is none."""
    from warehouse.build import SCHEMA

    if target is not None and target.is_file():
        return duckdb.connect(str(target), read_only=True)
    con = duckdb.connect()
    con.execute(SCHEMA.read_text(encoding="utf-8"))
    return con


def suggest(label: str, services: list[tuple[str, str, str | None]]) -> tuple[str, float] | None:
    """The service whose name or SeRCOP line the label most resembles (difflib's ratio of
    the normalised texts; Ratcliff and Obershelp's gestalt pattern matching), if at least
    ``SUGGEST_AT``."""
    key = label_key(label)
    best: tuple[str, float] | None = None
    for code, name, sercop in services:
        for text in (name, sercop):
            if not text:
                continue
            ratio = difflib.SequenceMatcher(None, key, label_key(text)).ratio()
            if ratio >= SUGGEST_AT and (best is None or ratio > best[1]):
                best = (code, ratio)
    return best


def inspect_file(path: Path, target: Path | None = None, period=None) -> dict:
    """What loading ``path`` would do, as data (see ``format_inspection``)."""
    path = Path(path)
    con = _connect(target)
    try:
        return _inspect(path, con, period)
    finally:
        con.close()


def _inspect(path: Path, con: duckdb.DuckDBPyConnection, period) -> dict:
    src = read_source(path, COLUMNS, optional=OPTIONAL, trim=False, fixed=column_map(con),
                      keywords=KEYWORDS)
    table = organisational(src)
    columns = []
    for canon in COLUMNS:
        header = src.labels.get(canon)
        samples = []
        if header is not None:
            for v in pc.unique(table.column(canon).slice(0, 5000)).to_pylist():
                if v is not None and v.strip() and v not in samples:
                    samples.append(v)
                if len(samples) == 3:
                    break
        columns.append({"column": canon, "header": header, "kind": KINDS.get(canon, "text"),
                        "samples": samples})
    dates = table.column("payment_date").slice(0, 5000).to_pylist()
    error = None
    try:
        parsed = parse(path, Quarantine(path.name), con, period=period)
        summary, notes = parsed["_summary"], parsed["_notes"]
    except LoadError as err:
        summary, notes, error = {}, [], str(err)
    services = con.execute(
        "select service_code, service_name, sercop_line from service order by 1").fetchall()
    recon = summary.get("reconciliation")
    totals = recon.total_rows + recon.note_rows if recon else 0
    return {"file": path.name, "encoding": src.encoding, "header_line": src.header_line,
            "columns": columns, "date_format": date_format(dates),
            "rows": table.num_rows - totals, "skipped_lines": src.skipped_lines + totals,
            "summary": summary, "notes": notes,
            "error": error, "services": services}


def format_inspection(found: dict) -> str:
    lines = [f"{found['file']}: encoding {found['encoding']}, header on line "
             f"{found['header_line']}, {found['rows']} payment row(s), "
             f"{found['skipped_lines']} blank or footer line(s) skipped",
             f"dates: {found['date_format']}", "columns:"]
    for c in found["columns"]:
        if c["header"] is None:
            lines.append(f"  {c['column']}: (no column)")
            continue
        shown = ", ".join(repr(s if len(s) <= 40 else s[:37] + "...") for s in c["samples"])
        lines.append(f"  {c['column']}: from {c['header']!r} ({c['kind']}): {shown}")
    if found["error"]:
        lines.append(f"would not load: {found['error']}")
    lines += found["notes"]
    return "\n".join(lines)


def mapping_template(found: dict) -> str:
    """A mapping file (``spend_mapping`` section only) for the labels not yet mapped; a line
    whose service is suggested is active, the others are comments for the analyst to fill."""
    out = ["# spend_mapping for the labels of " + found["file"] + " not yet mapped to a service.",
           "# Check every suggestion; fill in a service code for each commented line, then",
           "# load it with: python -m warehouse load mapping THIS_FILE", "spend_mapping:"]
    for dept, area, n, pence in found["summary"].get("unallocated", []):
        if not dept.strip():
            out.append(f"# (blank department): {n} rows, {pounds(pence)}: cannot be mapped")
            continue
        entry = yaml.safe_dump([{"department": dept, "service_area": area, "service": "CODE"}],
                               default_flow_style=True, allow_unicode=True, width=1000,
                               sort_keys=False).strip()
        entry = entry[1:-1]  # one flow mapping, not a list
        hint = suggest(area or dept, found["services"])
        said = f"{n} rows, {pounds(pence)}"
        if hint:
            out.append(f"- {entry.replace('CODE', hint[0])}  # {said}; suggested (resembles "
                       f"{hint[0]}, {hint[1]:.2f}): check")
        else:
            out.append(f"# - {entry}  # {said}; no service resembles it")
    if not any(line.startswith("- ") for line in out):
        out[3] = "spend_mapping: []  # nothing suggested: write the entries as a list here"
    return "\n".join(out) + "\n"


def main_inspect(args: argparse.Namespace, out: TextIO | None = None,
                 err: TextIO | None = None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    target = args.target or settings.warehouse_path()
    try:
        found = inspect_file(args.file, target)
    except LoadError as e:
        print(f"inspect failed: {e}", file=err)
        return 1
    print(format_inspection(found), file=out)
    if args.mapping_template:
        args.mapping_template.write_text(mapping_template(found), encoding="utf-8")
        print(f"wrote a mapping template for the labels not yet mapped to "
              f"{args.mapping_template}", file=out)
    return 0
