"""Spend files published as Excel workbooks (.xlsx, .xlsm): read through the same pipeline as a
CSV, each payment's line its Excel row, reconciled to the penny with an independent parse."""

from __future__ import annotations

import hashlib
import re
import shutil
import zipfile
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import pytest

from warehouse import load
from warehouse.build import build
from warehouse.inspection import inspect_file
from warehouse.loaders import LOADERS, load_file
from warehouse.loaders.base import LoadError, read_source
from warehouse.loaders.spend import COLUMNS, KEYWORDS, OPTIONAL
from warehouse.loaders.workbook import OLE_MAGIC, cell_text

HEADER = ["Expense Area", "Expense Type", "Payment Date", "Transaction Number", "Amount",
          "Supplier Name"]
FORMULA_ROW = 10  # its amount is a formula, read as the value Excel last calculated


def _text(ws, row: int, col: int, value: str) -> None:
    """A text cell that starts like a formula: stored as text, as a council's file has it."""
    cell = ws.cell(row, col)
    cell.value = value
    cell.data_type = "s"


def _patch(path: Path, values: dict[str, str]) -> None:
    """Write cell values as Excel stores them: a formula's cached value (openpyxl writes none),
    a number with Excel's 17 digits (openpyxl writes fewer)."""
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    for name, data in parts.items():
        if name.startswith("xl/worksheets/sheet"):
            text = data.decode("utf-8")
            for ref, value in values.items():
                text = re.sub(rf'(<c r="{ref}"[^>]*>\s*(?:<f>[^<]*</f>\s*)?)<v\s*/>|'
                              rf'(<c r="{ref}"[^>]*>\s*)<v>[^<]*</v>',
                              lambda m, v=value: f"{m[1] or m[2]}<v>{v}</v>", text)
            parts[name] = text.encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


def march_workbook(folder: Path, name: str = "spend_march_2019.xlsx") -> Path:
    """A cover sheet, then the payments: a preamble, the header on row 3, floats, real
    dates, a text date, a credit note, a blank row, a line break in a cell, a formula and a
    'Total' footer."""
    wb = openpyxl.Workbook()
    cover = wb.active
    cover.title = "About"
    cover.append(["Payments over £500 made by Testborough Council"])
    cover.append(["See the next sheet"])
    ws = wb.create_sheet("March 2019")
    ws.append(["Testborough Council: spend over £500, March 2019"])
    ws.append(["Published", datetime(2019, 4, 10)])
    ws.append(HEADER)
    ws.append(["Housing", "Repairs", datetime(2019, 3, 1), 1, 1428.6399999999999,
               "Café Lunch Club"])                                                 # row 4
    ws.append(["Housing", "Repairs", datetime(2019, 3, 2), 2, 0.1 + 0.2 + 600, "A Ltd"])  # 5
    ws.append(["Adult Social Care", "Grants", datetime(2019, 3, 2), 3, -992.1,
               "Credit note"])                                                     # row 6
    ws.append([])                                                                  # row 7
    ws.append(["Adult Social Care", "Grants", "04/03/2019", 4, 257268.43,
               "Fix-It\nBuilders"])                                                # row 8
    ws.append(["Housing", "Repairs", datetime(2019, 3, 5, 14, 30), 5, 600, None])  # row 9
    _text(ws, 9, 6, "=1+1")
    ws.append(["Housing", None, date(2019, 3, 6), 6, "=E9+100.5", "B Ltd"])        # row 10
    ws.append(["Total", None, None, None, 258429.4899999999, None])                # row 11
    path = folder / name
    wb.save(path)
    _patch(path, {f"E{FORMULA_ROW}": "700.5", "E4": "1428.6399999999999",
                  "E5": "600.30000000000007"})
    return path


PAYMENTS = {  # Excel row -> (supplier, date, amount)
    4: ("Café Lunch Club", date(2019, 3, 1), Decimal("1428.64")),
    5: ("A Ltd", date(2019, 3, 2), Decimal("600.30")),
    6: ("Credit note", date(2019, 3, 2), Decimal("-992.10")),
    8: ("Fix-It Builders", date(2019, 3, 4), Decimal("257268.43")),
    9: ("=1+1", date(2019, 3, 5), Decimal("600.00")),
    10: ("B Ltd", date(2019, 3, 6), Decimal("700.50")),
}


def independent_total(path: Path, amount_header: str = "Amount") -> tuple[list[int], Decimal]:
    """The rows and pounds of a workbook read with openpyxl and Decimal alone: a payment row
    has a date (a datetime cell or a d/m/y text); each amount rounded to the penny."""
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        for ws in wb.worksheets:
            rows = list(ws.iter_rows(values_only=True))
            at = next((i for i, r in enumerate(rows) if amount_header in r), None)
            if at is not None:
                break
        col = rows[at].index(amount_header)
        lines, total = [], Decimal("0")
        for n, r in enumerate(rows[at + 1:], start=at + 2):
            if not any(isinstance(v, date | datetime) or (isinstance(v, str) and re.fullmatch(
                    r"\d{1,2}/\d{1,2}/\d{4}", v)) for v in r):
                continue  # blank, or a total
            if not isinstance(r[col], int | float):
                continue  # no amount
            lines.append(n)
            total += Decimal(str(r[col])).quantize(Decimal("0.01"))
        return lines, total
    finally:
        wb.close()


def test_every_payment_loads_with_its_excel_row_and_reconciles_to_the_penny(wh, tmp_path):
    path = march_workbook(tmp_path)
    lines, total = independent_total(path)
    assert lines == sorted(PAYMENTS) and total == sum(p[2] for p in PAYMENTS.values())
    r = load_file(wh, LOADERS["spend"], path)
    assert r.status == "loaded", r.message
    assert (r.rows_read, r.rows_loaded, r.rows_quarantined) == (6, 6, 0)
    got = wh.execute("select line_no, supplier_name, payment_date, amount_gbp from spend "
                     "where source_file = $f order by line_no", {"f": path.name}).fetchall()
    assert got == [(n, *PAYMENTS[n]) for n in sorted(PAYMENTS)]
    assert sum(g[3] for g in got) == total
    recon = r.summary["reconciliation"]
    assert recon.balanced and recon.file_total == int(total * 100)
    assert recon.allocated + recon.unallocated == int(total * 100)
    assert recon.rows_allocated == 4  # Housing is mapped; Adult Social Care alone is not
    # the footer is not spend, the blank row is no row, nothing was quarantined
    assert not wh.execute("select * from rejected_row").fetchall()
    assert any("read sheet 'March 2019'" in n and "'About', 'March 2019'" in n
               for n in r.notes)
    # the lineage is the workbook's: its sha256 as published
    sha = wh.execute("select file_sha256 from load_log where file_name = $f",
                     {"f": path.name}).fetchall()[0][0]
    assert sha == hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_workbook_is_read_as_csv_one_line_per_row(tmp_path):
    path = march_workbook(tmp_path)
    src = read_source(path, COLUMNS, optional=OPTIONAL, trim=False, keywords=KEYWORDS)
    assert src.header_line == 3 and src.header == HEADER
    assert src.encoding == "xlsx workbook, sheet 'March 2019'"
    assert src.table.column("_line").to_pylist() == sorted(PAYMENTS)
    assert src.raw([8, 9]) == ["Adult Social Care,Grants,04/03/2019,4,257268.43,Fix-It Builders",
                               "Housing,Repairs,2019-03-05 14:30:00,5,600,=1+1"]
    assert src.skipped_lines == 1  # the 'Total' footer


def test_bad_rows_are_quarantined_with_their_row_numbers(wh, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Spend over £500"])
    ws.append(HEADER)
    for i in range(40):
        ws.append(["Housing", "Repairs", datetime(2019, 3, 1 + i % 28), i, 500 + i / 3, "A Ltd"])
    ws.append(["Housing", "Repairs", "31/02/2019", 98, 510.0, "Impossible date"])  # row 43
    ws.append(["Housing", "Repairs", datetime(2019, 3, 9), 99, "n/a", "No amount"])  # row 44
    path = tmp_path / "bad_rows.xlsm"
    wb.save(path)
    r = load_file(wh, LOADERS["spend"], path)
    assert r.status == "loaded" and (r.rows_loaded, r.rows_quarantined) == (40, 2)
    assert not any("read sheet" in n for n in r.notes)  # one sheet: nothing to say
    bad = wh.execute("select line_no, column_name, raw_text, reason from rejected_row "
                     "order by line_no").fetchall()
    assert [b[:2] for b in bad] == [(43, "Payment Date"), (44, "Amount")]
    assert bad[0][2] == "Housing,Repairs,31/02/2019,98,510,Impossible date"
    assert "'31/02/2019'" in bad[0][3] and "'n/a'" in bad[1][3]
    lines = [x[0] for x in wh.execute("select line_no from spend order by 1").fetchall()]
    assert lines == list(range(3, 43))
    _, total = independent_total(path)
    pounds = wh.execute("select sum(amount_gbp) from spend").fetchall()[0][0]
    assert pounds == total - Decimal("510.00")  # the impossible date's row is not loaded


def test_the_first_sheet_with_a_spend_header_is_read_and_none_is_an_error(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["Notes only"])
    hidden = wb.create_sheet("Old")
    hidden.sheet_state = "hidden"
    hidden.append(["Directorate", "Payment Date", "Supplier Name", "Amount"])
    hidden.append(["Old", "01/01/2010", "Old Ltd", 1])
    ws = wb.create_sheet("Data")
    ws.append(["Directorate", "Payment Date", "Supplier Name", "Amount"])
    ws.append(["Housing", "01/03/2019", "A Ltd", 600])
    path = tmp_path / "two.xlsx"
    wb.save(path)
    src = read_source(path, COLUMNS, optional=OPTIONAL, trim=False, keywords=KEYWORDS)
    assert src.encoding == "xlsx workbook, sheet 'Data'"  # visible sheets first
    assert src.table.column("supplier_name").to_pylist() == ["A Ltd"]
    wb = openpyxl.Workbook()
    wb.active.title = "Summary"
    wb.active.append(["Month", "Total"])
    path = tmp_path / "none.xlsx"
    wb.save(path)
    with pytest.raises(LoadError, match=r"none.xlsx: sheet 'Summary': line 1: missing required"):
        read_source(path, COLUMNS, optional=OPTIONAL, trim=False, keywords=KEYWORDS)


@pytest.mark.parametrize(("name", "data", "says"), [
    ("old.xls", OLE_MAGIC + bytes(600), "old binary Excel .xls workbook"),
    ("book.ods", None, "OpenDocument spreadsheet (.ods)"),
    ("broken.xlsx", "cut", "cannot open the workbook"),  # a download cut short
])
def test_workbooks_that_cannot_be_read_are_refused_saying_what_to_do(wh, tmp_path, name, data,
                                                                     says):
    path = tmp_path / name
    if data == "cut":
        whole = march_workbook(tmp_path, "whole.xlsx").read_bytes()
        path.write_bytes(whole[:len(whole) // 2])
    elif data is None:
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
            z.writestr("content.xml", "<office:document-content/>")
    else:
        path.write_bytes(data)
    with pytest.raises(LoadError, match=re.escape(name) + ".*" + re.escape(says)
                       + ".*save it as .xlsx or CSV"):
        load_file(wh, LOADERS["spend"], path)
    assert not wh.execute("select * from spend where source_file = $f", {"f": name}).fetchall()


@pytest.mark.parametrize(("value", "text"), [
    (None, ""), ("a\r\nb\nc", "a b c"), ("=SUM(A1)", "=SUM(A1)"), (True, "TRUE"),
    (600, "600"), (600.0, "600"), (1428.6399999999999, "1428.6399999999999"),
    (0.1 + 0.2, "0.30000000000000004"), (1e-05, "0.00001"), (2.5e20, "250000000000000000000"),
    (-992.1, "-992.1"), (datetime(2019, 3, 1), "2019-03-01"),
    (datetime(2019, 3, 1, 9, 5), "2019-03-01 09:05:00"), (date(2019, 3, 1), "2019-03-01"),
    (time(9, 30), "09:30:00"),
])
def test_cell_values_are_written_as_the_reader_parses_them(value, text):
    assert cell_text(value) == text


def test_the_command_loads_a_workbook_and_inspect_reads_it(live, tmp_path, capsys):
    path = march_workbook(tmp_path)
    found = inspect_file(path, target=live)
    assert found["encoding"] == "xlsx workbook, sheet 'March 2019'"
    assert found["header_line"] == 3 and found["rows"] == 6 and found["error"] is None
    code = load.run("spend", [path], target=live)
    out = capsys.readouterr().out
    assert code == 0, out
    assert "loaded - 6 read, 6 loaded, 0 quarantined" in out
    assert "read sheet 'March 2019'" in out
    assert "file total £259,605.77" in out
    assert "not yet allocated" in out


def test_a_period_given_for_a_workbook_keeps_the_sheet_note(live, tmp_path, capsys):
    wb = openpyxl.Workbook()
    wb.active.title = "Read me"
    ws = wb.create_sheet("Q3")
    ws.append(["Service Area", "Pay Date", "Supplier Name", "Amount"])
    ws.append(["Adult Social Care", time(0), "A Ltd", 600])  # every date is 00:00:00
    path = tmp_path / "q3.xlsx"
    wb.save(path)
    assert load.run("spend", [path], target=live) == 1
    assert "column 'Pay Date': no row has a usable date" in capsys.readouterr().err
    assert load.run("spend", [path], target=live, period="2013-10") == 0
    out = capsys.readouterr().out
    assert "the period 2013-10-01 given by the user" in out and "read sheet 'Q3'" in out


def test_a_build_loads_the_spend_workbooks_of_its_source_folder(demo_source, tmp_path):
    source = tmp_path / "source"
    shutil.copytree(demo_source, source)
    path = march_workbook(source / "spend")
    lines, total = independent_total(path)
    build(source, tmp_path / "w.duckdb")
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    try:
        got = con.execute("select list(line_no order by line_no), sum(amount_gbp) from spend "
                          "where source_file = $f", {"f": path.name}).fetchall()[0]
    finally:
        con.close()
    assert got == (lines, total)
