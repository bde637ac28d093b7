"""Spend files in layouts the loader had not seen (issue 15), written here as small files with
the header as published and realistic rows, loaded unchanged by the real loader.

Each case says where its layout is in the public record. The headers of the councils' and
bodies' files are as the files print them (odileeds/council-spending-data on GitHub keeps
their column maps and files: ``<body>/index.json``, ``<body>/clean/*.csv``, ``leeds/raw/``);
the quirks of encoding, delimiter, date and amount are those of Excel, Oracle and SAP exports
that councils publish. Every payment's amount and date is written out by hand beside its row:
the reconciliation to the penny is against those, not against another parse of the file.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from warehouse.loaders import LOADERS, load_file
from warehouse.loaders.base import read_source
from warehouse.loaders.spend import COLUMNS, KEYWORDS, OPTIONAL, organisational


@dataclass(frozen=True)
class Case:
    source: str  # where the layout is published
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]  # the payments, cells as published
    pounds: tuple[str, ...]  # each payment's amount, by hand
    days: tuple[str, ...]  # each payment's date (ISO), by hand
    columns: dict[str, str]  # canonical column -> the header cell it must be read from
    delimiter: str = ","
    encoding: str = "utf-8"
    newline: str = "\n"
    preamble: tuple[str, ...] = ()
    footer: tuple[tuple[str, ...], ...] = ()  # total rows and notes: never payments
    between: dict[int, tuple[str, ...]] = field(default_factory=dict)  # a row before row k
    quote_all: bool = False


def write(case: Case, path: Path) -> Path:
    out = io.StringIO(newline="")
    for line in case.preamble:
        out.write(line + case.newline)
    writer = csv.writer(out, delimiter=case.delimiter, lineterminator=case.newline,
                        quoting=csv.QUOTE_ALL if case.quote_all else csv.QUOTE_MINIMAL)
    writer.writerow(case.header)
    for k, row in enumerate(case.rows):
        if k in case.between:
            writer.writerow(case.between[k])
        writer.writerow(row)
    for row in case.footer:
        writer.writerow(row)
    text = out.getvalue()
    if case.encoding == "utf-16-bom":
        data = b"\xff\xfe" + text.encode("utf-16-le")
    else:
        data = text.encode(case.encoding)
    path.write_bytes(data)
    return path


ODI = "odileeds/council-spending-data"
CASES = {
    # Transport for London, 'expenditure over £250': SAP headers (tfl/index.json)
    "tfl": Case(
        f"{ODI} tfl/index.json",
        ("Entity", "Vendor Name", "Expenditure Account", "Clearing Date", "Document Number",
         "Amount (£)"),
        (("London Underground", "ACME RAIL LTD", "Track Maintenance", "02/05/2020",
          "5100001", "12,500.00"),
         ("Surface Transport", "BUS PARTS PLC", "Bus Spares", "03/05/2020", "5100002",
          "-300.10")),
        ("12500.00", "-300.10"), ("2020-05-02", "2020-05-03"),
        {"department_label": "Entity", "payment_date": "Clearing Date",
         "supplier_name": "Vendor Name", "amount_gbp": "Amount (£)",
         "expense_type": "Expenditure Account"}, encoding="cp1252"),
    # Gateshead: 'Period' is the ledger period (201009), 'Updated' the date paid
    "gateshead": Case(
        f"{ODI} gateshead/clean/2010-12.csv",
        ("Strategic Group", "Spend Level 1", "Spend Level 2", "TransNo", "Seq no", "Period",
         "Supplier Text", "Amount", "Updated"),
        (("Central Services", "Supplies and Services", "Printing, Stationery etc", "43598516",
          "2", "201009", "FORCE TWO LTD", "384", "07/12/2010"),
         ("Central Services", "Supplies and Services", "Printing, Stationery etc", "43598519",
          "2", "201009", "FORCE TWO LTD", "430.5", "08/12/2010")),
        ("384.00", "430.50"), ("2010-12-07", "2010-12-08"),
        {"department_label": "Strategic Group", "payment_date": "Updated",
         "supplier_name": "Supplier Text", "amount_gbp": "Amount"}),
    "sheffield": Case(
        f"{ODI} sheffield/clean/2011-01.csv",
        ("Business Unit Description", "Expense Code", "Expense Code Description", "GL Date",
         "Document No.", "Invoice No.", "Invoiced Value", "Supplier Name", "Address Book No.",
         "Proclass Details Level 1", "Thomson Classification Description"),
        (("COMMUNITY CENTRES - GENERAL", "6030", "REPAIRS AND MTCE - RESPONSIVE", "04/01/2011",
          "2864997", "39852", "4952.17", "NRC SERVICES LTD", "308030",
          "Cleaning and Janitorial", "CLEANING SERVICES - COMMERCIAL"),),
        ("4952.17",), ("2011-01-04",),
        {"department_label": "Business Unit Description", "payment_date": "GL Date",
         "amount_gbp": "Invoiced Value", "expense_type": "Expense Code Description"}),
    # Network Rail: the amount is 'Spend'; a 'Grand Total' row and a copyright line end it
    "network_rail": Case(
        f"{ODI} networkrail/clean/2017-01.csv",
        ("Supplier Name", "Item Description", "Category Family", "Invoice GL Date", "Spend"),
        (("Costain Ltd", "Procurement of materials and services for building maintenance",
          "Buildings", "24/01/2017", "23520332.46"),
         ("Frazer-Nash Consultancy Ltd", "Specialist human resource", "Professional Services",
          "19/01/2017", "25000.00")),
        ("23520332.46", "25000.00"), ("2017-01-24", "2017-01-19"),
        {"payment_date": "Invoice GL Date", "amount_gbp": "Spend",
         "expense_type": "Category Family"},
        footer=(("Grand Total", "", "", "", "23545332.46"),
                ("", "", "", "", "© Copyright Network Rail 2017"))),
    # Newcastle: the amount column is called 'Total'
    "newcastle_total": Case(
        f"{ODI} newcastle/clean/2017-01.csv",
        ("Directorate", "Service Area", "Group Description", "Paid Date", "Supplier Name",
         "Internal Ref", "Cap/Rev", "Cost Centre", "Cost Centre Name", "Total"),
        (("Adult and Culture", "Social Services", "Revenue Expenditure", "18/01/2017",
          "14 EIGHTH ROW", "7124401", "Revenue", "1MM20", "Residential Care MH", "9954.00"),),
        ("9954.00",), ("2017-01-18",),
        {"department_label": "Directorate", "service_area_label": "Service Area",
         "payment_date": "Paid Date", "amount_gbp": "Total"}),
    "newcastle_excl_vat": Case(
        f"{ODI} newcastle/index.json",
        ("Directorate", "Paid Date", "Supplier Name", "Total (excludes VAT)"),
        (("Adult and Culture", "10/04/2020", "CARE HOME LTD", "1,540.00"),),
        ("1540.00",), ("2020-04-10",), {"amount_gbp": "Total (excludes VAT)"}),
    # Salford: Gross, VAT and Net side by side: the Transparency Code's amount is the net
    "salford": Case(
        f"{ODI} salford/clean/2011-08.csv",
        ("Authority Name", "Date of Payment", "SAP Document Number", "Gross", "VAT", "Net",
         "Supplier Name", "Directorate", "G/L Description"),
        (("Salford City Council", "01/08/2011", "601013004", "550.80", "91.80", "459.00",
          "A Taylor Properties", "Children's Services", "Children Act-Sect 17"),),
        ("459.00",), ("2011-08-01",),
        {"amount_gbp": "Net", "department_label": "Directorate",
         "expense_type": "G/L Description"}),
    # Darlington: two unnamed columns first and 'Directotate' as printed
    "darlington": Case(
        f"{ODI} darlington/clean/2019-04.csv",
        ("", "", "Directotate", "Service", "Supplier", "Transaction Number", "Transaction Date",
         "Invoice Line Value (net of VAT)", "Account"),
        (("INSERTED DETAIL", "", "Balance Sheet", "Balance Sheet", "BISHOPTON PARISH COUNCIL",
          "11122047", "01/04/2019", "7868.00", "Parish Precepts"),),
        ("7868.00",), ("2019-04-01",),
        {"department_label": "Directotate", "service_area_label": "Service",
         "amount_gbp": "Invoice Line Value (net of VAT)"}),
    # Leeds: two organisational levels, CRLF, an amount with a space after it, a short blank
    # row and an unlabelled total
    "leeds_two_levels": Case(
        f"{ODI} leeds/raw/2010-12.csv",
        ("Body name", "Body", "Service label", "Service division label", "Expenditure category",
         "Detailed expenditure type", "Detailed expenditure code", "Date paid",
         "Transaction number", "Net amount", "Capital or revenue", "Supplier name"),
        (("Leeds City Council", "http://statistics.data.gov.uk/doc/local-authority/00DA",
          "Central & Corporate Functions", "Commercial Services Trading Services",
          "Supplies and services", "Operational Materials", "205", "24/12/2010", "1012-00001",
          "1616.23 ", "R", "A & A ELECTRICAL DISTRIBUTORS LTD"),
         ("Leeds City Council", "http://statistics.data.gov.uk/doc/local-authority/00DA",
          "Central & Corporate Functions", "Executive Support Total", "Supplies and Services",
          "School Examination Entry Fees", "269", "08/06/2012", "1207-08948", "507.26", "R",
          "")),
        ("1616.23", "507.26"), ("2010-12-24", "2012-06-08"),
        {"department_label": "Service label", "service_area_label": "Service division label",
         "payment_date": "Date paid", "amount_gbp": "Net amount"},
        newline="\r\n", footer=(("",) * 10, ("",) * 9 + ("2123.49", "", ""))),
    # Bradford and Leeds files spell the supplier column 'Benificiary Name'
    "benificiary": Case(
        f"{ODI} bradford/index.json",
        ("Body name", "Service Label", "Date", "Benificiary Name", "Net amount"),
        (("City of Bradford MDC", "Children's Services", "28-May-2013", "A E Speight",
          "898.70"),),
        ("898.70",), ("2013-05-28",), {"supplier_name": "Benificiary Name"}),
    # central government 'spend over £25,000': Windows-1252, entity and expense area
    "cabinet_office": Case(
        f"{ODI} cabinetoffice/clean/2019-06.csv",
        ("Departmental Family", "Entity", "Date", "Expense Type", "Expense Area", "Supplier",
         "Transaction number", "Amount"),
        (("CAB", "CABINET OFFICE", "11/06/2019", "EXP - PURCHASE OF GOODS/SERVICES - MEDIA",
          "GCS INTERNATIONAL", "DAI EUROPE LTD", "10003997", "£32,861.00"),),
        ("32861.00",), ("2019-06-11",),
        {"department_label": "Entity", "service_area_label": "Expense Area",
         "expense_type": "Expense Type"}, encoding="cp1252"),
    # Wakefield: an 'Effective Date' (of publication) before the 'Payment Date'
    "wakefield": Case(
        f"{ODI} wakefield/clean/.csv",
        ("Organisation Name", "Organisation Code", "Effective Date", "Directorate",
         "Service (Sercop)", "SERCOP URI", "Supplier Name", "Purpose Of Spend", "Type",
         "TransNo", "Seq No", "Payment Date", "Net Amount", "Irrecoverable VAT",
         "Merchant Category"),
        (("Wakefield WMDC", "E08000036", "31/12/2020", "CHILDYOU", "4",
          "Children's and Education Services", "LEVERHULME HOTEL & SPA", "Adoption Support",
          "Revenue", "161363", "53", "26/11/2020", "80.00", "Nil", "LODGING-HOTELS"),),
        ("80.00",), ("2020-11-26",),
        {"payment_date": "Payment Date", "department_label": "Directorate",
         "service_area_label": "Service (Sercop)"}),
    # the GLA's SAP layout: a code column ('Cost Element') before the described one
    "gla": Case(
        "rufuspollock/dataset-gla README.md (GLA expenditure over £250)",
        ("Vendor ID", "Vendor Name", "Cost Element", "Expenditure Account Code Description",
         "SAP Document No", "Amount £", "Clearing Date"),
        (("15500130", "LONDON BOROUGH OF LEWISHAM", "544075",
          "Grants to External Organisations", "5107789349", "12,700,000.00", "16 Mar 2011"),
         ("15500131", "ACME LTD", "544076", "Consultancy", "5107789350", "(978.00)",
          "21.01.2011")),
        ("12700000.00", "-978.00"), ("2011-03-16", "2011-01-21"),
        {"expense_type": "Expenditure Account Code Description", "amount_gbp": "Amount £",
         "payment_date": "Clearing Date", "supplier_name": "Vendor Name"}),
    # Welsh councils: bilingual headings, or Welsh alone (no file of this exact layout seen;
    # the words are the Welsh for date paid, supplier's name, sum, directorate)
    "welsh_bilingual": Case(
        "Welsh Language Standards: bilingual headings",
        ("Adran / Department", "Dyddiad Talu / Date Paid", "Cyflenwr / Supplier",
         "Swm / Amount"),
        (("Addysg", "01/04/2019", "A Cyf", "600"),), ("600.00",), ("2019-04-01",),
        {"department_label": "Adran / Department", "amount_gbp": "Swm / Amount"}),
    "welsh": Case(
        "Welsh-only headings",
        ("Cyfarwyddiaeth", "Dyddiad Talu", "Enw'r Cyflenwr", "Swm"),
        (("Addysg", "01/04/2019", "A Cyf", "600"),), ("600.00",), ("2019-04-01",),
        {"department_label": "Cyfarwyddiaeth", "payment_date": "Dyddiad Talu",
         "supplier_name": "Enw'r Cyflenwr", "amount_gbp": "Swm"}),
    # Excel's "Unicode text": UTF-16 LE with a BOM, tab-separated, CRLF, commas in cells
    "excel_unicode_text": Case(
        "Excel 'Save as Unicode Text'",
        ("Directorate", "Payment Date", "Supplier Name", "Amount"),
        (("Housing", "01/04/2019", "Smith, J & Sons", "£1,600.00"),
         ("Housing", "02/04/2019", "Café Ltd", "700")),
        ("1600.00", "700.00"), ("2019-04-01", "2019-04-02"),
        {"supplier_name": "Supplier Name"}, delimiter="\t", encoding="utf-16-bom",
        newline="\r\n"),
    "utf16_no_bom": Case(
        "UTF-16 LE exports without a BOM",
        ("Directorate", "Payment Date", "Supplier Name", "Amount"),
        (("Housing", "01/04/2019", "A Ltd", "600.00"),),
        ("600.00",), ("2019-04-01",), {}, delimiter="\t", encoding="utf-16-le"),
    # continental Excel: semicolons, 'sep=;' first, a decimal comma
    "semicolons": Case(
        "Excel with a semicolon list separator",
        ("Directorate", "Payment Date", "Supplier Name", "Amount"),
        (("Housing", "01/04/2019", "A, B & C Ltd", "600,50"),
         ("Housing", "02/04/2019", "D Ltd", "1.234,56"),
         ("Housing", "03/04/2019", "E Ltd", "1,234.00")),
        ("600.50", "1234.56", "1234.00"), ("2019-04-01", "2019-04-02", "2019-04-03"),
        {}, delimiter=";", preamble=("sep=;",)),
    "pipes": Case(
        "pipe-delimited ledger extracts",
        ("Service Area", "Date Paid", "Payee", "Value"),
        (("Parks", "20190401", "A Ltd", "500"),), ("500.00",), ("2019-04-01",),
        {}, delimiter="|", quote_all=True),
    # dates as Excel, Oracle and SAP export them
    "date_spellings": Case(
        "Oracle DD-MON-RR, ISO 8601, Excel serial numbers and long dates",
        ("Directorate", "Payment Date", "Supplier Name", "Amount"),
        tuple(("Housing", d, f"S{k}", "500") for k, d in enumerate((
            "2019-04-01T00:00:00", "01-APR-19", "1 April 2019", "Tuesday, 2 April 2019",
            "20190403", "43559", "2019/04/05", "06/04/2019 12:00:00 AM", "07/04/2019 09:30 PM",
            "April 8, 2019", "=\"09/04/2019\"", "10.04.19"))),
        ("500.00",) * 12,
        ("2019-04-01", "2019-04-01", "2019-04-01", "2019-04-02", "2019-04-03", "2019-04-04",
         "2019-04-05", "2019-04-06", "2019-04-07", "2019-04-08", "2019-04-09", "2019-04-10"),
        {}),
    # a file that gives only the month of each payment
    "month_only": Case(
        "monthly files with a 'Month' column and no day",
        ("Directorate", "Month", "Supplier Name", "Amount"),
        (("Housing", "April 2019", "A Ltd", "500"), ("Housing", "Apr-19", "B Ltd", "600"),
         ("Housing", "2019-04", "C Ltd", "700")),
        ("500.00", "600.00", "700.00"), ("2019-04-01",) * 3, {"payment_date": "Month"}),
    "amount_spellings": Case(
        "ledger credit notes (CR, a trailing minus, an en dash), Excel-protected cells, '£' "
        "in cp1252 read as UTF-8, a zero-width space pasted from a web page",
        ("Directorate", "Payment Date", "Supplier Name", "Amount"),
        tuple(("Housing", "01/04/2019", f"S{k}", a) for k, a in enumerate((
            "1234.56-", "1,234.56 CR", " £ 1,234.56 ", "1 234.56", "=\"600.00\"",
            "Â£1,700.00", "(£50.00)", "GBP 10.00", "£(60.00)", "1.5E+03", "\u201370.00",
            "\u200b80.00"))),
        ("-1234.56", "-1234.56", "1234.56", "1234.56", "600.00", "1700.00", "-50.00", "10.00",
         "-60.00", "1500.00", "-70.00", "80.00"),
        ("2019-04-01",) * 12, {}),
    # subtotals and a grand total that carry the period's last day: each is the sum of the
    # payments above it (or since the last subtotal); a supplier named TOTAL is a payment
    "dated_totals": Case(
        "finance-system reports with dated subtotals",
        ("Directorate", "Payment Date", "Supplier Name", "Amount"),
        (("Fleet", "01/04/2019", "TOTAL", "600"), ("Fleet", "02/04/2019", "Total Gas Ltd", "700"),
         ("Parks", "03/04/2019", "C Ltd", "50"), ("", "04/04/2019", "", "999")),
        ("600.00", "700.00", "50.00", "999.00"),
        ("2019-04-01", "2019-04-02", "2019-04-03", "2019-04-04"), {},
        between={2: ("", "30/04/2019", "", "1300.00"), 3: ("", "30/04/2019", "", "50.00")},
        footer=(("", "30/04/2019", "Grand Total", "2349.00"),)),
    # Excel headings with wrapped text: a line break inside the quoted header cell
    "wrapped_headings": Case(
        "Excel headings formatted 'wrap text' (Alt+Enter), saved as CSV",
        ("Directorate", "Payment\nDate", "Supplier Name", "Amount\n(£)"),
        (("Housing", "01/04/2019", "A Ltd", "600"),), ("600.00",), ("2019-04-01",),
        {"payment_date": "Payment\nDate", "amount_gbp": "Amount\n(£)"}),
    # software set to a US locale writes the month first: a column with 04/13/2019 in it
    "us_dates": Case(
        "exports from software in a US locale (mm/dd/yyyy)",
        ("Directorate", "Payment Date", "Supplier Name", "Amount"),
        (("Housing", "04/13/2019", "A Ltd", "600"), ("Housing", "04/01/2019", "B Ltd", "700"),
         ("Housing", "04/30/2019", "C Ltd", "800")),
        ("600.00", "700.00", "800.00"), ("2019-04-13", "2019-04-01", "2019-04-30"), {}),
    # total rows that name a count, or carry the period's last day
    "total_rows": Case(
        "finance-system reports with a total line",
        ("Directorate", "Payment Date", "Supplier Name", "Amount"),
        (("Housing", "01/04/2019", "A Ltd", "600"), ("Housing", "02/04/2019", "", "700")),
        ("600.00", "700.00"), ("2019-04-01", "2019-04-02"), {},
        footer=(("TOTAL:", "", "2 transactions", "1300"), ("Total", "30/04/2019", "", "1300"))),
    # a report printed page by page: the header again, a section heading, a 'Report Total'
    "paged_report": Case(
        "reports exported page by page",
        ("Directorate", "Payment Date", "Supplier Name", "Amount"),
        (("Housing", "01/04/2019", "A Ltd", "600"), ("Housing", "02/04/2019", "B Ltd", "700"),
         ("Parks", "03/04/2019", "Total Gas & Power Ltd", "800")),
        ("600.00", "700.00", "800.00"), ("2019-04-01", "2019-04-02", "2019-04-03"), {},
        preamble=("Testborough Council", "Payments over £500: April 2019", ""),
        between={1: ("Directorate", "Payment Date", "Supplier Name", "Amount"),
                 2: ("PARKS", "", "", "")},
        footer=(("Report Total", "", "", "2100.00"),)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_layout_reads_the_right_columns(name, tmp_path):
    case = CASES[name]
    src = read_source(write(case, tmp_path / f"{name}.csv"), COLUMNS, optional=OPTIONAL,
                      keywords=KEYWORDS, trim=False)
    organisational(src)
    assert {c: src.labels.get(c) for c in case.columns} == case.columns


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_layout_loads_every_payment_reconciled_to_the_penny(name, wh, tmp_path):
    case = CASES[name]
    path = write(case, tmp_path / f"{name}.csv")
    r = load_file(wh, LOADERS["spend"], path)
    assert r.status == "loaded", r.message
    assert (r.rows_loaded, r.rows_quarantined) == (len(case.rows), 0), r.rejected
    got = wh.execute("select payment_date, amount_gbp from spend where source_file = $f "
                     "order by line_no", {"f": path.name}).fetchall()
    assert [a for _, a in got] == [Decimal(p) for p in case.pounds]
    assert [d for d, _ in got] == [date.fromisoformat(d) for d in case.days]
    total = sum(Decimal(p) for p in case.pounds)
    recon = r.summary["reconciliation"]
    assert recon.balanced and recon.file_total == int(total * 100)
    assert recon.allocated + recon.unallocated == int(total * 100)


def test_a_tab_separated_file_says_so_and_keeps_its_line_numbers(wh, tmp_path):
    case = CASES["excel_unicode_text"]
    path = write(case, tmp_path / "unicode.txt")
    src = read_source(path, COLUMNS, optional=OPTIONAL, keywords=KEYWORDS, trim=False)
    assert src.encoding == "utf-16, tab-separated"
    load_file(wh, LOADERS["spend"], path)
    got = wh.execute("select line_no, supplier_name from spend order by 1").fetchall()
    assert got == [(2, "Smith, J & Sons"), (3, "Café Ltd")]


def test_repeated_headers_and_headings_are_skipped_not_quarantined(wh, tmp_path):
    path = write(CASES["paged_report"], tmp_path / "paged.csv")
    r = load_file(wh, LOADERS["spend"], path)
    recon = r.summary["reconciliation"]
    assert (recon.note_rows, recon.total_rows) == (2, 1)
