"""Spend files in the layouts councils publish: headers as printed (issue 15's twelve files
and others from the public record), each read with no set-up for the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from warehouse.loaders.base import LoadError, _norm, read_source
from warehouse.loaders.spend import COLUMNS, OPTIONAL, organisational

# header as published -> (department, service area, date, supplier, amount, expense type)
LAYOUTS = {
    "expense_area_only": (
        "Body Name,Body,Expense Area,Expense Type,Invoice Payment Date,Transaction Number,"
        "Amount,Beneficiary Name",
        ("Expense Area", None, "Invoice Payment Date", "Beneficiary Name", "Amount",
         "Expense Type")),
    "service_area_pay_date": (
        "Organisation,Service Area,Pay Date,BeneficiaryName,Amount Paid,Category Internal Name",
        ("Service Area", None, "Pay Date", "BeneficiaryName", "Amount Paid",
         "Category Internal Name")),
    "misspelt_unit": (
        "Organisatonal Unit,Paid Date,SupplierName,NetAmount,ProclassLabel",
        ("Organisatonal Unit", None, "Paid Date", "SupplierName", "NetAmount",
         "ProclassLabel")),
    "camel_case": (
        "OrganisationalUnit,PaymentDate,SupplierName,NetAmount,DetailedExpenditureType",
        ("OrganisationalUnit", None, "PaymentDate", "SupplierName", "NetAmount",
         "DetailedExpenditureType")),
    "service_label_name_colon": (
        "ServiceLabel,DatePaid,Name:,Amount,ExpenditureCategory",
        ("ServiceLabel", None, "DatePaid", "Name:", "Amount", "ExpenditureCategory")),
    "department_area": (
        "Department Area,Date,Supplier Name,Amount,Cost Centre",
        ("Department Area", "Cost Centre", "Date", "Supplier Name", "Amount", None)),
    "directorate_no_expense_type": (
        "Directorate,Payment Date,Supplier Name,Amount",
        ("Directorate", None, "Payment Date", "Supplier Name", "Amount", None)),
    # a district's monthly file: the pound sign in a header, a supplier category and type
    "amount_excl_vat": (
        "Council Name,Date,TransNo,Amount £ (Excl VAT),Supplier name,Supplier Category,"
        "Expense Area,Expense Type,Expense Code",
        ("Expense Area", None, "Date", "Supplier name", "Amount £ (Excl VAT)", "Expense Type")),
    "name_of_body": (
        "Body,Name of Body,Date,Transaction Number,Invoice Number,Amount,Supplier Name,"
        "Supplier ID,Vat Reg No,Expense Area,Expense Type,Expense Code,Creditor Type",
        ("Expense Area", None, "Date", "Supplier Name", "Amount", "Expense Type")),
    # the central-government layout some councils copy: entity and expense area
    "entity_and_expense_area": (
        "Reference No,Entity,Date of Payment,Expense Type,Expense Area,Supplier,"
        "Transaction number,Narrative,Amount in Sterling",
        ("Entity", "Expense Area", "Date of Payment", "Supplier", "Amount in Sterling",
         "Expense Type")),
    "directorate_and_service": (
        "Directorate,Service Area,Expenses Type,Payment Date,Supplier Name,Net Amount",
        ("Directorate", "Service Area", "Payment Date", "Supplier Name", "Net Amount",
         "Expenses Type")),
}
CANON = ("department_label", "service_area_label", "payment_date", "supplier_name",
         "amount_gbp", "expense_type")


def write_layout(folder: Path, header: str, row: dict[str, str] | None = None) -> Path:
    """A two-line file in the layout: the header and one payment."""
    cells = header.split(",")
    values = row or {}
    out = []
    for cell in cells:
        key = _norm(cell)
        out.append(values.get(key, "x"))
    path = folder / "layout.csv"
    path.write_text(header + "\n" + ",".join(out) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_each_published_layout_is_read_with_no_set_up(name, tmp_path):
    header, expected = LAYOUTS[name]
    path = write_layout(tmp_path, header)
    src = read_source(path, COLUMNS, optional=OPTIONAL)
    organisational(src)
    got = tuple(src.labels.get(c) for c in CANON)
    assert got == expected


@pytest.mark.parametrize(("header", "same"), [
    ("PaymentDate", "Payment Date"), ("DatePaid", "date paid"), ("Name:", "name"),
    ("NET_AMOUNT", "Net Amount"), ("Amount (£)", "amount"), ("VATAmount", "VAT Amount"),
])
def test_headers_match_ignoring_case_spaces_punctuation_and_camel_case(header, same):
    assert _norm(header) == _norm(same)


def test_a_file_with_no_organisational_column_is_refused_naming_the_accepted_names(tmp_path):
    path = tmp_path / "no_org.csv"
    path.write_text("Payment Date,Supplier Name,Amount\n01/04/2023,A,600\n", encoding="utf-8")
    src = read_source(path, COLUMNS, optional=OPTIONAL)
    with pytest.raises(LoadError, match=r"no_org.csv: line 1: no organisational column.*"
                                         r"Expense Area"):
        organisational(src)
