"""The council's own mapping file (YAML): organisations, departments, services and their
investment-area shares, spend-file labels -> services (by department and service area, or by
department and expense type), outcome links and benchmark places.

The format is documented in docs/source-formats.md; ``docs/templates/mapping.yaml`` is a template.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pandera.pandas as pa
import yaml

from warehouse.loaders.base import (
    Loader,
    LoadError,
    Quarantine,
    decode,
    rows_read_frame,
    validate,
)

# the spend loader's canonical columns (warehouse/loaders/spend.py COLUMNS)
SPEND_COLUMNS = ["body_name", "department_label", "service_area_label", "expense_type",
                 "payment_date", "transaction_ref", "amount_gbp", "supplier_name", "purpose"]
CODE = pa.Check.str_matches(r"^[A-Z0-9][A-Z0-9_-]{0,31}$", error="an upper-case code")

SECTIONS: dict[str, tuple[str, dict[str, str], pa.DataFrameSchema]] = {
    # section: (table, {yaml key: column}, schema over the columns)
    "organisations": (
        "organisation",
        {"code": "org_code", "name": "org_name", "type": "org_type"},
        pa.DataFrameSchema({
            "org_code": pa.Column(str, CODE, unique=True),
            "org_name": pa.Column(str, pa.Check.str_length(min_value=1)),
            "org_type": pa.Column(str, pa.Check.isin(["council", "nhs", "police", "other"])),
        }),
    ),
    "departments": (
        "department",
        {"code": "dept_code", "organisation": "org_code", "name": "dept_name"},
        pa.DataFrameSchema({
            "dept_code": pa.Column(str, CODE, unique=True),
            "org_code": pa.Column(str, CODE),
            "dept_name": pa.Column(str, pa.Check.str_length(min_value=1)),
        }),
    ),
    "areas": (
        "investment_area",
        {"code": "area_code", "name": "area_name", "outcome": "outcome_statement"},
        pa.DataFrameSchema({
            "area_code": pa.Column(str, CODE, unique=True),
            "area_name": pa.Column(str, pa.Check.str_length(min_value=1)),
            "outcome_statement": pa.Column(str, pa.Check.str_length(min_value=1)),
        }),
    ),
    "services": (
        "service",
        {"code": "service_code", "department": "dept_code", "name": "service_name",
         "statutory": "statutory", "sercop": "sercop_line", "activity_unit": "activity_unit",
         "areas": "areas"},
        pa.DataFrameSchema({
            "service_code": pa.Column(str, CODE, unique=True),
            "dept_code": pa.Column(str, CODE),
            "service_name": pa.Column(str, pa.Check.str_length(min_value=1)),
            "statutory": pa.Column(bool),
            "areas": pa.Column(object, pa.Check(
                lambda s: s.map(lambda a: isinstance(a, dict) and len(a) > 0
                                and abs(sum(a.values()) - 1) < 1e-9),
                error="areas: a map of area code to share, the shares summing to 1")),
        }),
    ),
    "spend_mapping": (
        "spend_mapping",
        {"department": "department_label", "service_area": "service_area_label",
         "service": "service_code"},
        pa.DataFrameSchema({
            "department_label": pa.Column(str, pa.Check.str_length(min_value=1)),
            "service_area_label": pa.Column(str),
            "service_code": pa.Column(str, CODE),
        }),
    ),
    "expense_mapping": (
        "spend_expense_mapping",
        {"department": "department_label", "expense_type": "expense_type",
         "service": "service_code"},
        pa.DataFrameSchema({
            "department_label": pa.Column(str, pa.Check.str_length(min_value=1)),
            "expense_type": pa.Column(str, pa.Check.str_length(min_value=1)),
            "service_code": pa.Column(str, CODE),
        }),
    ),
    "spend_columns": (
        "spend_column_map",
        {"column": "column_name", "header": "header", "occurrence": "occurrence"},
        pa.DataFrameSchema({
            "column_name": pa.Column(str, pa.Check.isin(SPEND_COLUMNS), unique=True),
            "header": pa.Column(str, pa.Check.str_length(min_value=1)),
            "occurrence": pa.Column(int, pa.Check.ge(1)),
        }),
    ),
    "outcome_links": (
        "outcome_link",
        {"area": "area_code", "indicator": "indicator_id", "role": "role",
         "unit_label": "outcome_unit_label"},
        pa.DataFrameSchema({
            "area_code": pa.Column(str, CODE),
            "indicator_id": pa.Column(int, pa.Check.gt(0)),
            "role": pa.Column(str, pa.Check.isin(["outcome units", "main", "supporting"])),
        }),
    ),
    "places": (
        "geography",
        {"code": "geo_code", "name": "geo_name", "role": "geo_role"},
        pa.DataFrameSchema({
            "geo_code": pa.Column(str, pa.Check.str_matches(r"^[EWSN]\d{8}$"), unique=True),
            "geo_name": pa.Column(str),
            "geo_role": pa.Column(str, pa.Check.isin(["borough", "region", "country"])),
        }),
    ),
}
LABEL_SECTIONS = ("spend_mapping", "expense_mapping", "spend_columns")
TABLE_ORDER = ("organisation", "department", "investment_area", "service", "service_allocation",
               "spend_mapping", "spend_expense_mapping", "spend_column_map", "geography",
               "outcome_link")


def _items_with_lines(text: str, path: Path) -> dict[str, list[tuple[int, dict, str]]]:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        raise LoadError(f"{path.name}: {where}not valid YAML ({err})") from err
    if not isinstance(data, dict):
        raise LoadError(f"{path.name}: line 1: expected sections such as 'services:'")
    lines = text.splitlines()
    out: dict[str, list[tuple[int, dict, str]]] = {}
    for key_node, value_node in root.value:
        section = key_node.value
        if section in out:
            raise LoadError(f"{path.name}: line {key_node.start_mark.line + 1}: section "
                            f"'{section}' appears twice (write its entries in one list)")
        items = data.get(section)
        if section not in SECTIONS:
            raise LoadError(f"{path.name}: line {key_node.start_mark.line + 1}: unknown section "
                            f"'{section}' (known: {', '.join(SECTIONS)})")
        if not isinstance(items, list):
            raise LoadError(f"{path.name}: line {key_node.start_mark.line + 1}: section "
                            f"'{section}' must be a list")
        rows = []
        for node, item in zip(value_node.value, items, strict=True):
            line = node.start_mark.line + 1
            rows.append((line, item if isinstance(item, dict) else {}, lines[line - 1].strip()))
        out[section] = rows
    missing = [s for s in ("organisations", "departments", "areas", "services", "places")
               if s not in out]
    # a file of label mappings alone (as ``inspect --mapping-template`` writes) is complete
    if missing and set(out) - set(LABEL_SECTIONS):
        raise LoadError(f"{path.name}: missing section(s) {', '.join(missing)}")
    return out


def parse(path: Path, quarantine: Quarantine, con: duckdb.DuckDBPyConnection) -> dict:
    text, _ = decode(path)
    sections = _items_with_lines(text, path)
    result: dict[str, pd.DataFrame] = {}
    total = 0
    for section, rows in sections.items():
        table, keys, schema = SECTIONS[section]
        total += len(rows)
        frame = pd.DataFrame(
            [{col: item.get(key) for key, col in keys.items()} for _, item, _ in rows],
            columns=list(keys.values()),
        )
        frame["_line"] = [line for line, _, _ in rows]
        frame["_raw"] = [raw for _, _, raw in rows]
        for col in frame.columns:
            if col not in ("_line", "areas", "statutory", "indicator_id", "occurrence"):
                frame[col] = frame[col].map(lambda v: "" if v is None else str(v))
        good = validate(frame, schema, quarantine)
        if section == "organisations":
            good = good.assign(is_council=good["org_type"] == "council")
        if section == "services":
            alloc = [
                {"service_code": r.service_code, "area_code": str(a), "share": float(s)}
                for r in good.itertuples() for a, s in r.areas.items()
            ]
            result["service_allocation"] = pd.DataFrame(
                alloc, columns=["service_code", "area_code", "share"])
            good = good.drop(columns=["areas"])
        if section == "areas":
            good = good.assign(sort_order=range(1, len(good) + 1))
        result[table] = good.drop(columns=["_line", "_raw"]).reset_index(drop=True)
    ordered = {t: result[t] for t in TABLE_ORDER if t in result}
    ordered["_rows_read"] = rows_read_frame(total)
    return ordered


def _clear_restated_shares(con: duckdb.DuckDBPyConnection, frames: dict) -> None:
    """A service listed in the file has exactly the area shares the file gives it: shares it
    had before for other areas go (else a re-loaded mapping could leave shares summing past 1).
    """
    services = frames.get("service")
    if services is None or not len(services):
        return
    con.register("_restated", services[["service_code"]])
    try:
        con.execute("delete from service_allocation where service_code in "
                    "(select service_code from _restated)")
    finally:
        con.unregister("_restated")


def _allocate(con: duckdb.DuckDBPyConnection, file_name: str) -> list[str]:
    """Payments loaded before their labels were mapped get their service now."""
    from warehouse.loaders.allocation import allocate

    return allocate(con, file_name)


# reference rows: loading the mapping again updates them key by key; spend held as not yet
# allocated is allocated by the labels the file maps
LOADER = Loader(kind="mapping", tables=TABLE_ORDER, parse=parse, replace_key=None,
                before_insert=_clear_restated_shares, after_insert=_allocate)
