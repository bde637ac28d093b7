"""Fingertips API CSV export (``/api/all_data/csv/...``) as published, one row per value."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pandera.pandas as pa

from warehouse.loaders.base import (
    Loader,
    Quarantine,
    key_schema,
    parse_amount,
    read_table,
    rows_read_frame,
    validate,
)

COLUMNS: dict[str, tuple[str, ...]] = {
    "indicator_id": ("Indicator ID", "IndicatorID", "IndicatorId"),
    "indicator_name": ("Indicator Name",),
    "geo_code": ("Area Code", "AreaCode"),
    "geo_name": ("Area Name",),
    "area_type": ("Area Type",),
    "sex": ("Sex",),
    "age": ("Age",),
    "category_type": ("Category Type", "CategoryType"),
    "category": ("Category",),
    "period": ("Time period", "Time Period", "Year"),
    "value": ("Value",),
    "lower95": ("Lower CI 95.0 limit", "LowerCI"),
    "upper95": ("Upper CI 95.0 limit", "UpperCI"),
    "lower998": ("Lower CI 99.8 limit",),
    "upper998": ("Upper CI 99.8 limit",),
    "numerator": ("Count",),
    "denominator": ("Denominator",),
    "value_note": ("Value note",),
}
OPTIONAL = ("indicator_name", "geo_name", "area_type", "category_type", "category", "lower998",
            "upper998", "value_note", "lower95", "upper95", "numerator", "denominator")
KEY = ("indicator_id", "geo_code", "period", "sex", "age", "category")
KEYS = key_schema(list(KEY), "indicator, area, period, sex, age and category")
NUMERIC = ("indicator_id", "value", "lower95", "upper95", "lower998", "upper998", "numerator",
           "denominator")


def _schema(known_ids: list[int]) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "indicator_id": pa.Column(
                float, pa.Check.isin(known_ids, error="an indicator in the indicator metadata"),
                nullable=False),
            "geo_code": pa.Column(str, pa.Check.str_matches(r"^[EWSN]\d{8}$",
                                                            error="an ONS/GSS area code")),
            "period": pa.Column(str, pa.Check.str_length(min_value=4)),
            "numerator": pa.Column(float, pa.Check.ge(0), nullable=True),
            "denominator": pa.Column(float, pa.Check.ge(0), nullable=True),
        },
        checks=[
            pa.Check(
                lambda d: d.value.isna() | d.lower95.isna()
                | ((d.lower95 <= d.value + 1e-9) & (d.value <= d.upper95 + 1e-9)),
                error="lower 95% limit <= value <= upper 95% limit",
            ),
        ],
    )


def _period(values: pd.Series) -> pd.Series:
    """Fingertips periods: '2019/20' stays; a plain year '2019' becomes the financial year
    '2019/20'."""
    s = values.astype("string").str.strip()
    plain = s.str.fullmatch(r"\d{4}")
    following = (s.where(plain).astype("Float64") + 1).astype("Int64") % 100
    as_fy = s + "/" + following.astype("string").str.zfill(2)
    return s.where(~plain, as_fy).astype(object)


def _category(category: pd.Series, category_type: pd.Series) -> pd.Series:
    """The category, qualified by its type when it has one: the same decile name appears under
    'County & UA deprivation deciles' and 'District & UA deprivation deciles'."""
    cat = category.where(category.notna(), "").astype(str).str.strip()
    kind = (category_type.where(category_type.notna(), "").astype(str)
            .str.strip().str.strip('"').str.strip())
    qualified = kind + ": " + cat
    return cat.where((cat == "") | (kind == ""), qualified).astype(object)


def parse(path: Path, quarantine: Quarantine, con: duckdb.DuckDBPyConnection) -> dict:
    table = read_table(path, COLUMNS, optional=OPTIONAL)
    quarantine.source = table
    frame = table.frame.copy()
    for col in NUMERIC:
        frame[f"_{col}_text"] = frame[col]
        frame[col] = parse_amount(frame[col])
    frame["period"] = _period(frame["period"])
    frame["geo_code"] = frame["geo_code"].astype(object)
    frame["sex"] = frame["sex"].where(frame["sex"].notna() & (frame["sex"] != ""), "Persons")
    frame["age"] = frame["age"].where(frame["age"].notna() & (frame["age"] != ""), "All ages")
    frame["category"] = _category(frame["category"], frame["category_type"])
    known = [r[0] for r in con.execute("select indicator_id from indicator").fetchall()]
    good = validate(frame, _schema(known), quarantine, labels=table.labels,
                    raw_columns={c: f"_{c}_text" for c in NUMERIC},
                    parse_rules={c: "a number" for c in NUMERIC})
    good = validate(good, KEYS, quarantine)
    ci = good["lower95"].notna()
    out = pd.DataFrame(
        {
            "indicator_id": good["indicator_id"].astype("int64"),
            "geo_code": good["geo_code"],
            "geo_name": good["geo_name"].fillna(good["geo_code"]),
            "period": good["period"],
            "sex": good["sex"],
            "age": good["age"],
            "category": good["category"],
            "numerator": good["numerator"],
            "denominator": good["denominator"],
            "value": good["value"],
            "lower95": good["lower95"],
            "upper95": good["upper95"],
            "lower998": good["lower998"],
            "upper998": good["upper998"],
            "ci_method": ci.map({True: "as published", False: None}),
            "source_file": path.name,
            "line_no": good["_line"].astype("int32"),
        }
    )
    return {"indicator_value": out, "_rows_read": rows_read_frame(len(table.frame))}


# a newer export (another file name) replaces the values it also carries, key by key
LOADER = Loader(kind="fingertips", tables=("indicator_value",), parse=parse, upsert=True)
