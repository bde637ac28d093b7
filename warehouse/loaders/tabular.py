"""The council's own tabular files: budget book, service activity, unit costs, spill-over links,
indicator metadata and published scenarios. Each format is documented in docs/source-formats.md.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pandera.pandas as pa

from indicators import compare
from warehouse.loaders.base import (
    Loader,
    Quarantine,
    fy_check,
    parse_amount,
    read_table,
    rows_read_frame,
    to_fy,
    validate,
)

POLARITY = {
    "higher is better": "higher is better",
    "high is good": "higher is better",
    "rag - high is good": "higher is better",
    "lower is better": "lower is better",
    "low is good": "lower is better",
    "rag - low is good": "lower is better",
    "no judgement": "no judgement",
    "not applicable": "no judgement",
    "bob - blue orange blue": "no judgement",
}
GRADES = ("high", "moderate", "low", "very low")


def _numbers(frame: pd.DataFrame, cols: tuple[str, ...]) -> pd.DataFrame:
    out = frame.copy()
    for col in cols:
        out[col] = parse_amount(frame[col])
    return out


def _text(frame: pd.DataFrame, cols: tuple[str, ...]) -> pd.DataFrame:
    out = frame.copy()
    for col in cols:
        out[col] = frame[col].astype(object)
    return out


def _known(table: str, column: str, con: duckdb.DuckDBPyConnection, label: str) -> pa.Check:
    # table/column are constants from this module, never input
    known = {r[0] for r in con.execute(f"select {column} from {table}").fetchall()}  # noqa: S608
    return pa.Check.isin(sorted(known), error=f"a {label} code in the mapping")


YEAR_COLUMNS = ("financial_year", "price_year")


def _years(frame: pd.DataFrame) -> pd.DataFrame:
    """'2024-25' and '2024/2025' become '2024/25'; what cannot be read is left for the check."""
    out = frame.copy()
    for col in YEAR_COLUMNS:
        if col in out.columns:
            label = to_fy(out[col])
            out[col] = label.where(label.notna(), out[col])
    return out


def _simple(columns, numeric, text, schema_fn, out_fn, optional=()):
    def parse(path: Path, quarantine: Quarantine, con: duckdb.DuckDBPyConnection) -> dict:
        table = read_table(path, columns, optional=optional)
        quarantine.source = table
        raw = table.frame.rename(columns={c: f"_{c}_text" for c in numeric})[
            [f"_{c}_text" for c in numeric]]
        frame = _years(_text(_numbers(table.frame, numeric), text)).join(raw)
        good = validate(frame, schema_fn(con), quarantine, labels=table.labels,
                        raw_columns={c: f"_{c}_text" for c in numeric},
                        parse_rules={c: "a number" for c in numeric})
        result = out_fn(good, path.name)
        result["_rows_read"] = rows_read_frame(len(table.frame))
        return result

    return parse


# --- budget book: service x year x version -------------------------------------------------
BUDGET_COLUMNS = {
    "financial_year": ("Financial Year", "Year"),
    "service_code": ("Service Code",),
    "version": ("Version", "Budget Version"),
    "amount_gbp": ("Amount", "Amount (£)", "Net Amount", "Net Expenditure"),
    "published": ("Published",),
}


def _budget_schema(con):
    return pa.DataFrameSchema(
        {
            "financial_year": pa.Column(str, fy_check()),
            "service_code": pa.Column(str, _known("service", "service_code", con, "service")),
            "version": pa.Column(str, pa.Check.isin(["draft", "approved", "outturn"])),
            "amount_gbp": pa.Column(float, nullable=False),
            "published": pa.Column(str, pa.Check.isin(["yes", "no"])),
        }
    )


def _budget_out(good, name):
    return {
        "budget": pd.DataFrame(
            {
                "service_code": good["service_code"],
                "financial_year": good["financial_year"],
                "version": good["version"],
                "amount_gbp": good["amount_gbp"].round(2),
                "published": good["published"] == "yes",
                "source_file": name,
            }
        )
    }


BUDGET = Loader(
    "budget",
    ("budget",),
    _simple(BUDGET_COLUMNS, ("amount_gbp",), ("financial_year", "service_code", "version",
                                               "published"), _budget_schema, _budget_out),
)

# --- service activity ----------------------------------------------------------------------
ACTIVITY_COLUMNS = {
    "financial_year": ("Financial Year", "Year"),
    "service_code": ("Service Code",),
    "activity_unit": ("Activity Unit", "Unit"),
    "units": ("Units", "Activity"),
}


def _activity_schema(con):
    return pa.DataFrameSchema(
        {
            "financial_year": pa.Column(str, fy_check()),
            "service_code": pa.Column(str, _known("service", "service_code", con, "service")),
            "activity_unit": pa.Column(str, pa.Check.str_length(min_value=1)),
            "units": pa.Column(float, pa.Check.ge(0), nullable=False),
        }
    )


def _activity_out(good, name):
    out = good[["service_code", "financial_year", "activity_unit", "units"]].copy()
    out["source_file"] = name
    return {"service_activity": out}


ACTIVITY = Loader(
    "activity",
    ("service_activity",),
    _simple(ACTIVITY_COLUMNS, ("units",), ("financial_year", "service_code", "activity_unit"),
            _activity_schema, _activity_out),
)

# --- unit costs (simple CSV) --------------------------------------------------------------
UNIT_COST_COLUMNS = {
    "cost_item": ("Cost Item", "Item"),
    "label": ("Label", "Description"),
    "payer_code": ("Payer Code", "Payer"),
    "unit_cost_gbp": ("Unit Cost", "Unit Cost (£)", "Unit Cost GBP"),
    "unit_cost_low_gbp": ("Low", "Unit Cost Low"),
    "unit_cost_high_gbp": ("High", "Unit Cost High"),
    "price_year": ("Price Year",),
    "source": ("Source",),
}


def _unit_cost_schema(con):
    return pa.DataFrameSchema(
        {
            "cost_item": pa.Column(str, pa.Check.str_length(min_value=1), unique=True),
            "payer_code": pa.Column(str, _known("department", "dept_code", con, "payer")),
            "unit_cost_gbp": pa.Column(float, pa.Check.ge(0), nullable=False),
            "unit_cost_low_gbp": pa.Column(float, pa.Check.ge(0), nullable=False),
            "unit_cost_high_gbp": pa.Column(float, pa.Check.ge(0), nullable=False),
            "price_year": pa.Column(str, fy_check()),
            "source": pa.Column(str, pa.Check.str_length(min_value=1)),
        },
        checks=[
            pa.Check(lambda d: (d.unit_cost_low_gbp <= d.unit_cost_gbp)
                     & (d.unit_cost_gbp <= d.unit_cost_high_gbp),
                     error="low <= unit cost <= high"),
        ],
    )


def _unit_cost_out(good, name):
    cols = ["cost_item", "label", "payer_code", "unit_cost_gbp", "unit_cost_low_gbp",
            "unit_cost_high_gbp", "price_year", "source"]
    return {"unit_cost": good[cols].copy()}


UNIT_COSTS = Loader(
    "unit-costs",
    ("unit_cost",),
    _simple(UNIT_COST_COLUMNS, ("unit_cost_gbp", "unit_cost_low_gbp", "unit_cost_high_gbp"),
            ("cost_item", "label", "payer_code", "price_year", "source"),
            _unit_cost_schema, _unit_cost_out),
    replace_key=None,
)

# --- spill-over links ---------------------------------------------------------------------
LINK_COLUMNS = {c: () for c in (
    "link_id", "service_code", "activity_unit", "activity_unit_cost_gbp", "outcome_code",
    "outcome_label", "events_per_unit", "effect_ratio", "effect_ratio_low", "effect_ratio_high",
    "cost_item", "payer_code", "lag_years", "drop_off", "evidence_grade", "source")}
LINK_NUMERIC = ("activity_unit_cost_gbp", "events_per_unit", "effect_ratio", "effect_ratio_low",
                "effect_ratio_high", "lag_years", "drop_off")


def _link_schema(con):
    positive = pa.Check.gt(0)
    return pa.DataFrameSchema(
        {
            "link_id": pa.Column(str, unique=True),
            "service_code": pa.Column(str, _known("service", "service_code", con, "service")),
            "activity_unit_cost_gbp": pa.Column(float, positive, nullable=False),
            "events_per_unit": pa.Column(float, pa.Check.ge(0), nullable=False),
            "effect_ratio": pa.Column(float, positive, nullable=False),
            "effect_ratio_low": pa.Column(float, positive, nullable=False),
            "effect_ratio_high": pa.Column(float, positive, nullable=False),
            "cost_item": pa.Column(str, _known("unit_cost", "cost_item", con, "unit cost item")),
            "payer_code": pa.Column(str, _known("department", "dept_code", con, "payer")),
            "lag_years": pa.Column(float, [pa.Check.ge(0), pa.Check.le(10)], nullable=False),
            "drop_off": pa.Column(float, [pa.Check.ge(0), pa.Check.le(1)], nullable=False),
            "evidence_grade": pa.Column(str, pa.Check.isin(GRADES)),
            "source": pa.Column(str, pa.Check.str_length(min_value=1)),
        },
        checks=[
            pa.Check(lambda d: (d.effect_ratio_low <= d.effect_ratio)
                     & (d.effect_ratio <= d.effect_ratio_high),
                     error="effect_ratio_low <= effect_ratio <= effect_ratio_high"),
        ],
    )


def _link_out(good, name):
    out = good[list(LINK_COLUMNS)].copy()
    out["lag_years"] = out["lag_years"].astype("int32")
    return {"spillover_link": out}


SPILLOVER = Loader(
    "spillover-links",
    ("spillover_link",),
    _simple(LINK_COLUMNS, LINK_NUMERIC,
            tuple(c for c in LINK_COLUMNS if c not in LINK_NUMERIC), _link_schema, _link_out),
    replace_key=None,
)

# --- indicator metadata ------------------------------------------------------------------
INDICATOR_COLUMNS = {
    "indicator_id": ("IndicatorID", "Indicator ID"),
    "indicator_name": ("IndicatorName", "Indicator Name"),
    "value_type": ("ValueType", "Value Type"),
    "multiplier": ("Multiplier",),
    "polarity": ("Polarity",),
    "unit_label": ("Unit", "Unit Label"),
    "source": ("Source",),
    "licence": ("Licence", "License"),
    # Fingertips metadata's own header, or a plain one
    "comparison_method": ("BenchmarkComparisonMethod", "Comparison Method"),
}
INDICATOR_OPTIONAL = ("comparison_method",)
COMPARISON_RULE = ("a Fingertips comparison method: Confidence intervals overlapping reference "
                   "value (95.0) or (99.8), Quintiles, No comparison")


def _method_or_none(text) -> compare.ComparisonMethod | None:
    """The indicator's comparison method read by compare.py's one parser; None if unknown."""
    try:
        return compare.comparison_method(text)
    except ValueError:
        return None


def _indicator_schema(con):
    return pa.DataFrameSchema(
        {
            "indicator_id": pa.Column(float, pa.Check.gt(0), nullable=False, unique=True),
            "indicator_name": pa.Column(str, pa.Check.str_length(min_value=1)),
            "multiplier": pa.Column(float, pa.Check.gt(0), nullable=False),
            "polarity": pa.Column(str, pa.Check.isin(sorted(POLARITY)),
                                  description="Fingertips polarity"),
            "comparison_method": pa.Column(
                object, pa.Check(lambda s: s.map(_method_or_none).notna(), element_wise=False,
                                 error=COMPARISON_RULE),
                nullable=True, description="Fingertips BenchmarkComparisonMethod"),
        }
    )


def _indicator_parse(path: Path, quarantine: Quarantine, con) -> dict:
    table = read_table(path, INDICATOR_COLUMNS, optional=INDICATOR_OPTIONAL)
    quarantine.source = table
    frame = _numbers(table.frame, ("indicator_id", "multiplier"))
    frame["polarity"] = frame["polarity"].astype("string").str.strip().str.lower().astype(object)
    # a missing column or an empty cell is the Fingertips default (95%): the parser says so
    frame["comparison_method"] = frame["comparison_method"].astype(object)
    good = validate(frame, _indicator_schema(con), quarantine, labels=table.labels)
    out = good[[c for c in INDICATOR_COLUMNS if c != "comparison_method"]].copy()
    out["indicator_id"] = out["indicator_id"].astype("int64")
    out["polarity"] = out["polarity"].map(POLARITY)
    methods = good["comparison_method"].map(compare.comparison_method)
    out["comparison_method"] = [m.kind for m in methods]
    out["comparison_level"] = pd.Series([m.level for m in methods], index=out.index,
                                        dtype="float64")
    return {"indicator": out, "_rows_read": rows_read_frame(len(table.frame))}


INDICATORS = Loader("indicator-metadata", ("indicator",), _indicator_parse,
                    replace_key=None)

# --- published scenarios -----------------------------------------------------------------
SCENARIO_COLUMNS = {c: () for c in (
    "scenario_id", "name", "description", "owner", "created_at", "service_code", "change_type",
    "change_value")}


def _scenario_schema(con):
    return pa.DataFrameSchema(
        {
            "scenario_id": pa.Column(str, pa.Check.str_matches(r"^[a-z0-9-]{1,64}$")),
            "service_code": pa.Column(str, _known("service", "service_code", con, "service")),
            "change_type": pa.Column(str, pa.Check.isin(["amount", "percent"])),
            "change_value": pa.Column(float, nullable=False),
        }
    )


def _scenario_out(good, name):
    heads = good.drop_duplicates("scenario_id")[
        ["scenario_id", "name", "description", "owner", "created_at"]].copy()
    heads["status"] = "published"
    changes = good[["scenario_id", "service_code", "change_type", "change_value"]].copy()
    return {"scenario": heads, "scenario_change": changes}


SCENARIOS = Loader(
    "scenarios",
    ("scenario", "scenario_change"),
    _simple(SCENARIO_COLUMNS, ("change_value",),
            ("scenario_id", "name", "description", "owner", "created_at", "service_code",
             "change_type"), _scenario_schema, _scenario_out),
    replace_key=None,
)
