"""Spend-over-£500 files (Local Government Transparency Code 2015), as councils publish them."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pandera.pandas as pa

from warehouse.loaders.base import (
    Loader,
    Quarantine,
    financial_year,
    parse_amount,
    parse_uk_date,
    read_table,
    rows_read_frame,
    validate,
)

# canonical name -> header spellings seen in published files
COLUMNS: dict[str, tuple[str, ...]] = {
    "body_name": ("Body Name", "Organisation Name", "Body"),
    "department_label": ("Department", "Directorate", "Service Area Category", "Department Name"),
    "service_area_label": ("Service Area", "Service", "Expense Area", "Cost Centre Description",
                           "Division"),
    "expense_type": ("Expenses Type", "Expense Type", "Subj Description", "Subjective Description",
                     "Expenditure Category", "Account Description"),
    "payment_date": ("Payment Date", "Date", "Invoice Creation Date", "Date Paid",
                     "Transaction Date", "Invoice Date"),
    "transaction_ref": ("Transaction Number", "Transaction No", "Reference", "Invoice Number"),
    "amount_gbp": ("Net Amount", "Amount", "Invoice Nett Amount", "Amount (£)", "Value",
                   "Net Value", "Total"),
    "supplier_name": ("Supplier Name", "Beneficiary", "Supplier", "Payee", "Vendor Name"),
    "purpose": ("Purpose of Expenditure", "Purpose", "Description", "Summary of Purpose"),
}
OPTIONAL = ("body_name", "service_area_label", "transaction_ref", "purpose")

SCHEMA = pa.DataFrameSchema(
    {
        "department_label": pa.Column(str, pa.Check.str_length(min_value=1), nullable=False),
        "expense_type": pa.Column(str, nullable=False),
        "supplier_name": pa.Column(str, pa.Check.str_length(min_value=1), nullable=False),
        "payment_date": pa.Column("datetime64[ns]", nullable=False),
        "amount_gbp": pa.Column(
            float, pa.Check(lambda s: s.abs() < 1e10, error="an amount under £10bn"),
            nullable=False,
        ),
        "service_code": pa.Column(
            object,
            pa.Check(lambda s: s.notna(), element_wise=False,
                     error="department and service area found in the council's spend mapping"),
            nullable=True,
        ),
        "row_complete": pa.Column(bool, pa.Check.eq(True, error="as many cells as the header"),
                                  required=True),
    },
    strict=False,
    coerce=False,
)


def parse(path: Path, quarantine: Quarantine, con: duckdb.DuckDBPyConnection) -> dict:
    table = read_table(path, COLUMNS, optional=OPTIONAL)
    raw = table.frame
    frame = raw.copy()
    frame["amount_gbp"] = parse_amount(raw["amount_gbp"])
    frame["payment_date"] = parse_uk_date(raw["payment_date"])
    frame["service_area_label"] = raw["service_area_label"].fillna("").astype(str)
    frame["row_complete"] = raw["_width"].astype(bool)
    mapping = con.execute(
        "select department_label, service_area_label, service_code from spend_mapping"
    ).df()
    frame = frame.merge(mapping, how="left", on=["department_label", "service_area_label"])
    # department-level mapping (service area left blank in the mapping) catches the rest
    dept_only = mapping[mapping["service_area_label"] == ""].set_index("department_label")
    fill = frame["department_label"].map(dept_only["service_code"])
    frame["service_code"] = frame["service_code"].fillna(fill)
    for col in ("department_label", "expense_type", "supplier_name"):
        frame[col] = frame[col].astype("string").astype(object)
    frame["service_code"] = frame["service_code"].astype(object)
    good = validate(frame, SCHEMA, quarantine)
    out = pd.DataFrame(
        {
            "source_file": path.name,
            "line_no": good["_line"].astype("int32"),
            "body_name": good["body_name"],
            "department_label": good["department_label"],
            "service_area_label": good["service_area_label"],
            "service_code": good["service_code"],
            "expense_type": good["expense_type"],
            "payment_date": good["payment_date"].dt.date,
            "financial_year": financial_year(good["payment_date"]),
            "transaction_ref": good["transaction_ref"],
            "amount_gbp": good["amount_gbp"].round(2),
            "supplier_name": good["supplier_name"],
            "purpose": good["purpose"],
        }
    )
    return {"spend": out, "_rows_read": rows_read_frame(len(raw))}


LOADER = Loader(kind="spend", tables=("spend",), parse=parse)
