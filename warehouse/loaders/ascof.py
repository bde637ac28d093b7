"""Adult social care outcome measures by council: Oflog's ASC file and NHS England's ASCOF CSV.

One row per council x measure x financial year (x breakdown, where the file has one). Two
published shapes are accepted, told apart by their columns:

- Oflog (``oflog_ASC_data.csv``): ``Financial year, Local authority code, Local authority name,
  ..., Measure, Code, Value, MEDIAN, MADs_from_median, rank_order``;
- NHS England's ASCOF measures file, in long form with a ``Measure Type`` column whose
  'Outcome', 'Numerator' and 'Denominator' rows are folded into one row per measure.

A blank or suppressed value ('..', '*', 'c', '[c]'...) loads as a missing value; any other
value that is not a number is quarantined. ``rank_order``/``Polarity`` becomes the polarity:
'desc' (a higher value ranks first) is 'higher is better', 'asc' is 'lower is better'.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pandera.pandas as pa

from warehouse.loaders.base import (
    Loader,
    Quarantine,
    fy_check,
    key_schema,
    map_unique,
    not_available,
    parse_amount,
    read_source,
    rows_read_frame,
    to_fy,
    validate,
)

COLUMNS: dict[str, tuple[str, ...]] = {
    "financial_year": ("Financial year", "Financial Year", "Year", "Reporting Period", "Period",
                       "Time period"),
    "geo_code": ("Local authority code", "ONS Code", "ONS Area Code", "Area Code", "LA Code",
                 "Council ONS code", "Geography code"),
    "geo_name": ("Local authority name", "Geographical Description", "Area Name",
                 "Local authority", "Council", "LA Name"),
    "measure_code": ("Code", "ASCOF Measure Code", "Measure Code", "Measure ID", "ASCOF code"),
    "measure_name": ("Measure", "Measure Description", "Measure Group Description",
                     "Measure Name", "Indicator"),
    "value": ("Value", "Measure Value", "Outcome"),
    "measure_type": ("Measure Type", "Value Type"),
    "breakdown": ("Disaggregation Level", "Breakdown", "Disaggregation"),
    "comparator_median": ("MEDIAN", "Median", "England median", "Comparator median"),
    "polarity": ("rank_order", "Polarity", "Rank order"),
}
OPTIONAL = ("geo_name", "measure_name", "measure_type", "breakdown", "comparator_median",
            "polarity")
POLARITY = {
    "desc": "higher is better", "descending": "higher is better",
    "higher is better": "higher is better", "high is good": "higher is better",
    "asc": "lower is better", "ascending": "lower is better",
    "lower is better": "lower is better", "low is good": "lower is better",
    "none": "no judgement", "no judgement": "no judgement",
}
KEY = ["measure_code", "geo_code", "financial_year", "breakdown"]
OUT_COLUMNS = ["measure_code", "measure_name", "geo_code", "geo_name", "financial_year",
               "breakdown", "value", "numerator", "denominator", "comparator_median",
               "polarity", "source_file", "line_no"]

SCHEMA = pa.DataFrameSchema(
    {
        "geo_code": pa.Column(str, pa.Check.str_matches(
            r"^[EWSN]\d{8}$", error="an ONS code like E09000007"), nullable=False),
        "measure_code": pa.Column(str, pa.Check.str_length(min_value=1, error="a measure code"),
                                  nullable=False),
        "financial_year": pa.Column(str, fy_check(), nullable=False),
        "value_ok": pa.Column(bool, pa.Check.eq(
            True, error="a number, or blank / '..' / 'c' for no figure")),
        "median_ok": pa.Column(bool, pa.Check.eq(
            True, error="a number, or blank for no figure")),
        "value": pa.Column(float, pa.Check(lambda s: np.isfinite(s), error="a finite number"),
                           nullable=True),
    },
    strict=False,
)
KEYS = key_schema(KEY, "measure, council, year and breakdown")


def _number(texts: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(value, ok): a number; blank or a suppression mark is a missing value and still ok."""
    value = parse_amount(texts)
    missing = not_available(texts)
    ok = value.notna() | missing
    return value.where(~missing), ok


def parse(path: Path, quarantine: Quarantine, con: duckdb.DuckDBPyConnection) -> dict:
    src = read_source(path, COLUMNS, optional=OPTIONAL)
    quarantine.source = src
    frame = src.frame
    n_rows = len(frame)
    value, value_ok = _number(frame["value"])
    median, median_ok = _number(frame["comparator_median"])
    frame = frame.assign(
        _year_text=frame["financial_year"],
        _value_text=frame["value"],
        financial_year=to_fy(frame["financial_year"]),
        value=value, value_ok=value_ok.astype(bool),
        comparator_median=median, median_ok=median_ok.astype(bool),
        breakdown=frame["breakdown"].where(frame["breakdown"].notna()
                                           & (frame["breakdown"] != ""), "All"),
        measure_name=frame["measure_name"].where(frame["measure_name"].notna()
                                                 & (frame["measure_name"] != ""),
                                                 frame["measure_code"]),
        geo_name=frame["geo_name"].where(frame["geo_name"].notna() & (frame["geo_name"] != ""),
                                         frame["geo_code"]),
        polarity=map_unique(frame["polarity"],
                            lambda p: POLARITY.get(str(p).strip().lower()) if p else None),
    )
    frame["numerator"] = np.nan
    frame["denominator"] = np.nan
    if "measure_type" in src.labels:
        frame = _fold_measure_types(frame)
    labels = {**src.labels, "value_ok": src.labels["value"],
              "median_ok": src.labels.get("comparator_median", "median")}
    good = validate(frame, SCHEMA, quarantine, labels=labels,
                    raw_columns={"financial_year": "_year_text", "value_ok": "_value_text"},
                    parse_rules={"financial_year": "a financial year such as 2022-23"})
    good = validate(good, KEYS, quarantine)
    out = pd.DataFrame({
        "measure_code": good["measure_code"].astype(str),
        "measure_name": good["measure_name"].astype(str),
        "geo_code": good["geo_code"].astype(str),
        "geo_name": good["geo_name"].astype(str),
        "financial_year": good["financial_year"].astype(str),
        "breakdown": good["breakdown"].astype(str),
        "value": good["value"].astype(float),
        "numerator": good["numerator"].astype(float),
        "denominator": good["denominator"].astype(float),
        "comparator_median": good["comparator_median"].astype(float),
        "polarity": good["polarity"].where(good["polarity"].notna(), None),
        "source_file": path.name,
        "line_no": good["_line"].astype("int32"),
    }, columns=OUT_COLUMNS)
    return {"ascof_value": out, "_rows_read": rows_read_frame(n_rows)}


def _fold_measure_types(frame: pd.DataFrame) -> pd.DataFrame:
    """NHS England's long file: one row per measure type; keep the Outcome row, with the
    Numerator and Denominator of the same measure, council, year and breakdown beside it.

    Numerator and denominator rows are data rows too: the ones with no Outcome row are kept
    as rows of their own so they are validated (and refused) rather than silently dropped.
    """
    kind = frame["measure_type"].fillna("").astype(str).str.strip().str.lower()
    parts = frame[kind.isin(["numerator", "denominator"])]
    main = frame[~kind.isin(["numerator", "denominator"])].copy()
    for name in ("numerator", "denominator"):
        side = parts[kind[parts.index] == name].drop_duplicates(KEY).set_index(KEY)["value"]
        joined = main.join(side.rename(f"_{name}"), on=KEY)
        main[name] = joined[f"_{name}"]
    matched = parts.set_index(KEY).index.isin(main.set_index(KEY).index)
    return pd.concat([main, parts[~matched]])


# a newer release (another file name) replaces the values it also carries, key by key
LOADER = Loader(kind="ascof", tables=("ascof_value",), parse=parse, upsert=True)
