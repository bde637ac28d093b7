"""NHS National Cost Collection (NCC): the national average unit cost of each currency.

The published national schedule as a CSV: ``Service Code, Dept or Currency Code, Dept or
Currency Desc, Activity, Unit cost, Cost`` (the 'service code' is the setting, e.g. 'Elective
Inpatients'; the currency code is an HRG or activity code such as 'WH06A' or 'VB09Z'). The
collection year comes from a 'Year' column when there is one, else from the file name
('..._2023-24.csv'). One row per year x service x currency code; a repeated key is quarantined.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pandas as pd
import pandera.pandas as pa

from warehouse.loaders.base import (
    Loader,
    LoadError,
    Quarantine,
    fy_check,
    fy_label,
    header_labels,
    key_schema,
    not_available,
    parse_amount,
    read_source,
    rows_read_frame,
    to_fy,
    validate,
)

COLUMNS: dict[str, tuple[str, ...]] = {
    "service": ("Service Code", "Service", "Setting", "Department Code", "Service Description"),
    "currency_code": ("Dept or Currency Code", "Currency Code", "HRG Code", "Currency",
                      "Activity Code"),
    "currency_desc": ("Dept or Currency Desc", "Currency Description", "Currency Desc",
                      "HRG Name", "HRG Description", "Description"),
    "activity": ("Activity", "Number of FCEs", "Attendances", "Activity Count"),
    "unit_cost_gbp": ("Unit cost", "Unit Cost (£)", "National Average Unit Cost",
                      "Average Unit Cost", "Unit cost £"),
    "total_cost_gbp": ("Cost", "Total Cost", "Actual Cost", "Total Cost (£)"),
    "collection_year": ("Year", "Collection Year", "Financial Year", "Collection"),
}
OPTIONAL = ("activity", "total_cost_gbp", "collection_year", "currency_desc")
OUT_COLUMNS = ["collection_year", "service", "currency_code", "currency_desc", "activity",
               "unit_cost_gbp", "total_cost_gbp", "source_file", "line_no"]

SCHEMA = pa.DataFrameSchema(
    {
        "collection_year": pa.Column(str, fy_check(), nullable=False),
        "service": pa.Column(str, pa.Check.str_length(min_value=1, error="a service"),
                             nullable=False),
        "currency_code": pa.Column(str, pa.Check.str_matches(
            r"^[A-Za-z0-9][A-Za-z0-9_./-]{0,19}$", error="a currency code such as WH06A"),
            nullable=False),
        "unit_cost_gbp": pa.Column(float, [pa.Check.ge(0, error="a unit cost of £0 or more"),
                                           pa.Check.lt(1e8, error="a unit cost under £100m")],
                                   nullable=False),
        "activity": pa.Column(float, pa.Check.ge(0, error="an activity count of 0 or more"),
                              nullable=True),
        "activity_ok": pa.Column(bool, pa.Check.eq(True, error="a number, or blank")),
        "total_ok": pa.Column(bool, pa.Check.eq(True, error="a number, or blank")),
    },
    strict=False,
)
KEYS = key_schema(["collection_year", "service", "currency_code"],
                  "year, service and currency code")


def year_from_name(name: str) -> str | None:
    """'nhs_national_cost_collection_2023-24.csv' -> '2023/24' (None when there is no year)."""
    for m in re.finditer(r"(20\d{2})[-_/ ]?(\d{2}|20\d{2})(?!\d)", name):
        label = fy_label(f"{m[1]}/{m[2]}")
        if label:
            return label
    return None


def _optional_number(texts: pd.Series) -> tuple[pd.Series, pd.Series]:
    value = parse_amount(texts)
    missing = not_available(texts)
    return value.where(~missing), (value.notna() | missing).astype(bool)


def parse(path: Path, quarantine: Quarantine, con: duckdb.DuckDBPyConnection) -> dict:
    src = read_source(path, COLUMNS, optional=OPTIONAL)
    quarantine.source = src
    frame = src.frame
    if "collection_year" in src.labels:
        year = to_fy(frame["collection_year"])
    else:
        label = year_from_name(path.name)
        if label is None:
            raise LoadError(f"{path.name}: no 'Year' column and no year in the file name; "
                            "name the file like 'nhs_national_cost_collection_2023-24.csv'")
        year = pd.Series(label, index=frame.index, dtype=object)
    activity, activity_ok = _optional_number(frame["activity"])
    total, total_ok = _optional_number(frame["total_cost_gbp"])
    frame = frame.assign(
        collection_year=year,
        _year_text=frame["collection_year"] if "collection_year" in src.labels else year,
        _unit_text=frame["unit_cost_gbp"],
        _activity_text=frame["activity"],
        _total_text=frame["total_cost_gbp"],
        unit_cost_gbp=parse_amount(frame["unit_cost_gbp"]),
        activity=activity, activity_ok=activity_ok,
        total_cost_gbp=total, total_ok=total_ok,
        currency_desc=frame["currency_desc"].where(frame["currency_desc"].notna(), ""),
    )
    labels = {**src.labels, "activity_ok": src.labels.get("activity", "Activity"),
              "total_ok": src.labels.get("total_cost_gbp", "Cost")}
    good = validate(
        frame, SCHEMA, quarantine, labels=labels,
        raw_columns={"unit_cost_gbp": "_unit_text", "collection_year": "_year_text",
                     "activity_ok": "_activity_text", "total_ok": "_total_text"},
        parse_rules={"unit_cost_gbp": "a number of pounds such as 1234.56",
                     "collection_year": "a financial year such as 2023-24"},
    )
    good = validate(good, KEYS, quarantine)
    out = pd.DataFrame({
        "collection_year": good["collection_year"].astype(str),
        "service": good["service"].astype(str),
        "currency_code": good["currency_code"].astype(str),
        "currency_desc": good["currency_desc"].astype(str),
        "activity": good["activity"].astype(float),
        "unit_cost_gbp": good["unit_cost_gbp"].astype(float),
        "total_cost_gbp": good["total_cost_gbp"].astype(float),
        "source_file": path.name,
        "line_no": good["_line"].astype("int32"),
    }, columns=OUT_COLUMNS)
    return {"nhs_unit_cost": out, "_rows_read": rows_read_frame(len(frame))}


def looks_like_ncc(path: Path) -> bool:
    """Whether a unit-cost file is the National Cost Collection (it has a currency code)."""
    return header_labels(path, {k: COLUMNS[k] for k in ("currency_code", "unit_cost_gbp")}) \
        is not None


LOADER = Loader(kind="nhs-costs", tables=("nhs_unit_cost",), parse=parse, upsert=True)
