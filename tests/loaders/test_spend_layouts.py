"""Spend files in the layouts councils publish: headers as printed (issue 15's twelve files
and others from the public record), each read with no set-up for the file."""

from __future__ import annotations

import csv
import dataclasses
import functools
import io
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from warehouse import load
from warehouse.loaders import LOADERS, load_file, spend
from warehouse.loaders.base import LoadError, read_source
from warehouse.loaders.headers import _norm
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


def test_a_file_with_no_organisational_column_loads_unallocated_with_a_warning(wh, tmp_path):
    path = tmp_path / "no_org.csv"
    path.write_text("Payment Date,Supplier Name,Amount\n01/04/2023,A Ltd,600\n",
                    encoding="utf-8")
    r = load_file(wh, LOADERS["spend"], path)
    assert r.rows_loaded == 1 and r.summary["reconciliation"].unallocated == 60000
    assert any(n.startswith("warning: no_org.csv: line 1: no organisational column")
               and "Expense Area" in n for n in r.notes)
    got = wh.execute("select department_label, service_code from spend "
                     "where source_file = 'no_org.csv'").fetchall()
    assert got == [("", None)]


# --- whole files, as published: every payment in, reconciled to the penny ---------------------
def independent_total(path: Path, encoding: str, amount_header: str,
                      skip_first: str = "") -> tuple[int, Decimal]:
    """Rows and pounds of a file read with Python's csv module and Decimal alone: a data row
    has a date-like cell; '£', ',' and brackets are dropped from the amount."""
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode(encoding))))
    header_at = next(i for i, r in enumerate(rows) if amount_header in r)
    col = rows[header_at].index(amount_header)
    n, total = 0, Decimal("0")
    for r in rows[header_at + 1:]:
        if not r or not any(c.strip() for c in r) or (skip_first and r[0] == skip_first):
            continue
        if not any(re.search(r"\d{1,4}[-/.][\dA-Za-z]{2,3}[-/.]\d{2,4}", c) for c in r):
            continue  # a total row: no date
        text = r[col].strip().replace("£", "").replace(",", "")
        value = Decimal(text.strip("()")) * (-1 if text.startswith("(") else 1)
        n += 1
        total += value.quantize(Decimal("0.01"))
    return n, total


FILES = {
    # cp1252, '£3,400.00' and '-£992.10', dotted dates, a labelled footer, a row under £500
    "cp1252_pounds.csv": ("cp1252", "Amount", (
        "Body Name,Expense Area,Expense Type,Invoice Payment Date,Transaction Number,Amount,"
        "Beneficiary Name\r\n"
        "Testborough,Adult Social Care,Grants,01.03.2019,1,\"£3,400.00\",Café Lunch Club\r\n"
        "Testborough,Adult Social Care,Grants,02.03.2019,2,-£992.10,Café Lunch Club\r\n"
        "Testborough,Parks Team,Tools,02.03.2019,3,120.00,Spade & Co\r\n"
        "Testborough,Parks Team,,04.03.2019,4,\"257,268.43\",REDACTED\r\n"
        ",,,,,\"£259,796.33\",\r\n")),
    # UTF-8 with BOM, 30-Oct-13 dates, float noise, a quoted line break, empty trailing columns
    "bom_trailing.csv": ("utf-8-sig", "NetAmount", (
        "\ufeffOrganisationalUnit,PaymentDate,SupplierName,NetAmount,ProclassLabel,,,\n"
        "Housing,30-Oct-13,\"Fix-It\nBuilders\",1428.6399999999999,Repairs\n"
        "Housing,31-Oct-13,\t=1+1,600,Repairs,,,\n"
        "Mystery Unit,31-Oct-13,Someone,700.5,\n"
        "Total,,,2729.14,\n")),
    # ISO dates with a time, a CamelCase header, no expense type column
    "iso_times.csv": ("utf-8", "Amount Paid", (
        "ServiceLabel,DatePaid,Name:,Amount Paid\n"
        "Adult Social Care,2017-06-01 00:00:00,A Ltd,510.00\n"
        "Adult Social Care,2017-06-02 00:00:00,B Ltd,(20.00)\n")),
}


@pytest.mark.parametrize("name", sorted(FILES))
def test_each_file_loads_every_payment_and_reconciles_to_the_penny(name, wh, tmp_path):
    encoding, amount_header, text = FILES[name]
    path = tmp_path / name
    path.write_bytes(text.encode(encoding.replace("-sig", "")))
    n, total = independent_total(path, encoding, amount_header, skip_first="Total")
    r = load_file(wh, LOADERS["spend"], path)
    assert r.status == "loaded", r.message
    assert (r.rows_loaded, r.rows_quarantined) == (n, 0)
    got = wh.execute("select count(*), sum(amount_gbp) from spend where source_file = $f",
                     {"f": name}).fetchall()[0]
    assert got == (n, total)
    recon = r.summary["reconciliation"]
    assert recon.balanced and recon.file_total == int(total * 100)
    assert recon.allocated + recon.unallocated == int(total * 100)
    # an unlabelled total row is skipped here; a labelled 'Total' footer by the reader
    assert recon.total_rows == {"cp1252_pounds.csv": 1}.get(name, 0)


def test_text_is_kept_exactly_as_published(wh, tmp_path):
    encoding, _, text = FILES["bom_trailing.csv"]
    path = tmp_path / "bom_trailing.csv"
    path.write_bytes(text.encode("utf-8"))
    load_file(wh, LOADERS["spend"], path)
    suppliers = {r[0] for r in wh.execute("select supplier_name from spend").fetchall()}
    assert "\t=1+1" in suppliers  # a leading tab is not stripped (it would make a formula)
    assert "Fix-It\nBuilders" in suppliers


def test_blank_and_redacted_text_loads_marked(wh, tmp_path):
    encoding, _, text = FILES["cp1252_pounds.csv"]
    path = tmp_path / "cp1252_pounds.csv"
    path.write_bytes(text.encode(encoding))
    load_file(wh, LOADERS["spend"], path)
    marks = dict(wh.execute("select transaction_ref, text_marks from spend").fetchall())
    assert marks["4"] == "supplier redacted; expense type blank"
    assert marks["1"] is None


def test_a_file_with_no_usable_date_is_refused_naming_its_date_column(wh, tmp_path):
    path = tmp_path / "zero_dates.csv"
    path.write_text("Service Area,Pay Date,Supplier Name,Amount\n"
                    "Adult Social Care,00:00:00,A Ltd,600\n"
                    "Adult Social Care,00:00:00,B Ltd,700\n", encoding="utf-8")
    before = wh.execute("select count(*) from spend").fetchall()[0][0]
    with pytest.raises(LoadError, match=r"zero_dates.csv: column 'Pay Date': no row has a "
                                         r"usable date.*'00:00:00'.*--period"):
        load_file(wh, LOADERS["spend"], path)
    assert wh.execute("select count(*) from spend").fetchall()[0][0] == before
    # with the period given by the user, every payment loads with it, and the lineage says so
    given = dataclasses.replace(LOADERS["spend"],
                                parse=functools.partial(spend.parse, period=date(2013, 10, 1)))
    r = load_file(wh, given, path)
    assert r.rows_loaded == 2
    got = wh.execute("select distinct payment_date, financial_year from spend "
                     "where source_file = 'zero_dates.csv'").fetchall()
    assert got == [(date(2013, 10, 1), "2013/14")]
    log = wh.execute("select message from load_log where file_name = 'zero_dates.csv'")
    assert "2013-10-01 given by the user" in log.fetchall()[0][0]


def test_a_file_from_another_body_loads_with_a_warning(wh, tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("Body Name,Directorate,Payment Date,Supplier Name,Amount\n"
                    "Somewhere Else District Council,Housing,01/04/2023,A Ltd,600\n",
                    encoding="utf-8")
    r = load_file(wh, LOADERS["spend"], path)
    assert r.rows_loaded == 1
    assert any("'Somewhere Else District Council'" in n and "not the warehouse's council" in n
               for n in r.notes)


def test_a_mapping_loaded_later_allocates_without_reloading_the_spend(wh, tmp_path, fixtures):
    path = tmp_path / "later.csv"
    path.write_text("Directorate,Payment Date,Supplier Name,Amount\n"
                    "Brand New Directorate,01/04/2023,A Ltd,600.10\n"
                    "Brand New Directorate,02/04/2023,B Ltd,99.90\n"
                    "Still Unknown,02/04/2023,C Ltd,5\n", encoding="utf-8")
    r = load_file(wh, LOADERS["spend"], path)
    assert r.summary["reconciliation"].unallocated == 70500
    assert [x[:4] for x in r.summary["unallocated"]] == [
        ("Brand New Directorate", "", 2, 70000), ("Still Unknown", "", 1, 500)]
    mapping = tmp_path / "mapping.yaml"
    base = (fixtures / "mapping_testborough.yaml").read_text(encoding="utf-8")
    service = wh.execute("select service_code from service order by 1 limit 1").fetchall()[0][0]
    mapping.write_text(base.replace("spend_mapping:\n", "spend_mapping:\n- {department: brand "
                                    f"new DIRECTORATE, service_area: '', service: {service}}}\n"),
                       encoding="utf-8")
    m = load_file(wh, LOADERS["mapping"], mapping)
    assert m.status == "loaded", m.message
    got = wh.execute("select supplier_name, service_code from spend "
                     "where source_file = 'later.csv' order by line_no").fetchall()
    assert got == [("A Ltd", service), ("B Ltd", service), ("C Ltd", None)]
    assert any("2 payment(s), £700.00, now allocated" in n for n in m.notes)
    assert any("1 payment(s), £5.00, still not yet allocated" in n for n in m.notes)


def test_the_command_loads_an_unseen_layout_and_names_what_is_not_yet_allocated(live,
                                                                               tmp_path,
                                                                               capsys):
    encoding, _, text = FILES["cp1252_pounds.csv"]
    path = tmp_path / "cp1252_pounds.csv"
    path.write_bytes(text.encode(encoding))
    code = load.run("spend", [path], target=live)
    out = capsys.readouterr().out
    assert code == 0, out
    assert "loaded - 4 read, 4 loaded, 0 quarantined" in out
    assert "file total £259,796.33" in out
    assert "not yet allocated: 'Parks Team': 2 rows, £257,388.43" in out
    assert "1 total row(s) skipped" in out


def test_the_command_refuses_an_all_zero_dates_file_or_loads_it_with_a_period(live, tmp_path,
                                                                              capsys):
    path = tmp_path / "q3.csv"
    path.write_text("Service Area,Pay Date,Supplier Name,Amount\n"
                    "Adult Social Care,00:00:00,A Ltd,600\n", encoding="utf-8")
    assert load.run("spend", [path], target=live) == 1
    assert "column 'Pay Date': no row has a usable date" in capsys.readouterr().err
    assert load.run("spend", [path], target=live, period="2013-10") == 0
    out = capsys.readouterr().out
    assert "the period 2013-10-01 given by the user" in out
    assert load.run("spend", [path], target=live, period="Oct 2013") == 2
    assert "YYYY-MM" in capsys.readouterr().err


def test_a_councils_column_map_settles_two_columns_of_one_name(wh, tmp_path, fixtures):
    path = tmp_path / "two_codes.csv"
    path.write_text("Department Area,Date,Supplier Name,Amount,Account Code,Account Code\n"
                    "Housing,01/04/2023,A Ltd,600,5120,Repairs and maintenance\n",
                    encoding="utf-8")
    load_file(wh, LOADERS["spend"], path)
    assert wh.execute("select expense_type from spend").fetchall() == [("",)]
    mapping = tmp_path / "columns.yaml"
    mapping.write_text("spend_columns:\n- {column: expense_type, header: Account Code, "
                       "occurrence: 2}\n", encoding="utf-8")
    r = load_file(wh, LOADERS["mapping"], mapping)
    assert r.status == "loaded", r.message
    path.write_text(path.read_text(encoding="utf-8") + "Housing,02/04/2023,B Ltd,700,5120,"
                    "Repairs and maintenance\n", encoding="utf-8")  # a corrected re-issue
    load_file(wh, LOADERS["spend"], path)
    got = wh.execute("select distinct expense_type from spend").fetchall()
    assert got == [("Repairs and maintenance",)]


def test_a_column_map_naming_a_header_the_file_lacks_says_so(wh, tmp_path):
    wh.execute("insert into spend_column_map values ('expense_type', 'Account Code', 2)")
    path = tmp_path / "one_code.csv"
    path.write_text("Directorate,Date,Supplier Name,Amount,Account Code\n"
                    "Housing,01/04/2023,A Ltd,600,5120\n", encoding="utf-8")
    with pytest.raises(LoadError, match=r"one_code.csv: line 1: the council's column map reads "
                                         r"'expense_type' from 'Account Code' \(occurrence 2\)"):
        load_file(wh, LOADERS["spend"], path)


@pytest.mark.parametrize(("header", "expected"), [
    ("Directorate,Date of Transaction,Supplier Name (Redacted),Amount excl. VAT,VAT Amount",
     {"payment_date": "Date of Transaction", "supplier_name": "Supplier Name (Redacted)",
      "amount_gbp": "Amount excl. VAT"}),
    ("Service Area Name,Supplier ID,Supplier (redacted where personal),Net Value £,Paid On",
     {"supplier_name": "Supplier (redacted where personal)", "amount_gbp": "Net Value £",
      "payment_date": "Paid On"}),
])
def test_headers_no_spelling_names_are_found_by_their_words(header, expected, tmp_path):
    path = write_layout(tmp_path, header)
    src = read_source(path, COLUMNS, optional=OPTIONAL, keywords=spend.KEYWORDS)
    assert {c: src.labels.get(c) for c in expected} == expected


def test_headings_and_notes_are_skipped_and_a_payment_without_an_amount_quarantined(wh,
                                                                                  tmp_path):
    path = tmp_path / "notes.csv"
    path.write_text("Directorate,Payment Date,Supplier Name,Amount\n"
                    "ADULT SERVICES,,,\n"
                    "Housing,01/04/2023,A Ltd,600\n"
                    "Housing,02/04/2023,B Ltd,\n"
                    + "".join(f"Housing,03/04/2023,C{k} Ltd,10\n" for k in range(20))
                    + "Payments to individuals are not shown,,,\n", encoding="utf-8")
    r = load_file(wh, LOADERS["spend"], path)
    assert (r.status, r.rows_read, r.rows_loaded, r.rows_quarantined) == ("loaded", 22, 21, 1)
    assert r.rejected[0]["line_no"] == 4 and r.rejected[0]["column_name"] == "Amount"
    assert "2 note or heading row(s) skipped (no date and no amount)" in r.notes


def test_text_over_a_sane_length_is_quarantined_and_never_stored_whole(wh, tmp_path):
    huge = "A" * 2_000_000  # a runaway cell (a lost quote swallows the file)
    path = tmp_path / "huge.csv"
    rows = "".join(f"Housing,0{k}/04/2023,S{k} Ltd,600\n" for k in range(1, 10))
    path.write_text("Directorate,Payment Date,Supplier Name,Amount\n" + rows
                    + f"Housing,10/04/2023,{huge},700\n" + rows, encoding="utf-8")
    r = load_file(wh, LOADERS["spend"], path, max_bad_share=0.1)
    assert (r.rows_loaded, r.rows_quarantined) == (18, 1)
    row = wh.execute("select column_name, reason, length(raw_text) from rejected_row").fetchall()
    assert row[0][0] == "Supplier Name" and "at most 1000 characters" in row[0][1]
    assert len(row[0][1]) < 500 and row[0][2] < 5000
    longest = wh.execute("select max(length(supplier_name)) from spend").fetchall()[0][0]
    assert longest < 10


def test_a_title_naming_every_column_is_not_taken_for_the_header(tmp_path):
    path = tmp_path / "titled.csv"
    path.write_text("Supplier payments by date paid and net amount,,,\n"
                    "Directorate,Date of Transaction,Supplier Name (Redacted),Amount\n"
                    "Housing,01/04/2023,A Ltd,600\n", encoding="utf-8")
    src = read_source(path, COLUMNS, optional=OPTIONAL, keywords=spend.KEYWORDS)
    assert src.header_line == 2 and src.labels["supplier_name"] == "Supplier Name (Redacted)"


def test_labelled_subtotals_between_sections_are_total_rows(wh, tmp_path):
    path = tmp_path / "subtotals.csv"
    path.write_text("Directorate,Payment Date,Supplier Name,Amount\n"
                    "Housing,01/04/2023,A Ltd,600\n"
                    "Housing,02/04/2023,B Ltd,400\n"
                    "Total Housing,,,1000\n"
                    "Parks,02/04/2023,C Ltd,50\n"
                    "Sub-total,,,50\n"
                    "Parks,03/04/2023,Total Cleaning Ltd,70\n"
                    "Grand Total,,,1050\n", encoding="utf-8")
    r = load_file(wh, LOADERS["spend"], path)
    assert (r.rows_read, r.rows_loaded, r.rows_quarantined) == (4, 4, 0)
    recon = r.summary["reconciliation"]
    assert (recon.file_total, recon.total_rows) == (112000, 2)  # the reader drops the last
    total = wh.execute("select sum(amount_gbp) from spend where source_file = 'subtotals.csv'")
    assert total.fetchall()[0][0] == Decimal("1120.00")
