"""Spend files with hostile details the loader had not seen (issue 15), each a small file
written here and loaded unchanged by the real loader: dates no row can use, files that are not
CSV, stray quotes and unquoted commas, several amount columns, mistyped dates, padding. The
layouts of whole files are in test_spend_hostile.py."""

from __future__ import annotations

import dataclasses
import functools
import re
from datetime import date
from decimal import Decimal

import pytest

from warehouse.loaders import LOADERS, load_file, spend
from warehouse.loaders.base import LoadError, read_source
from warehouse.loaders.spend import COLUMNS, KEYWORDS, OPTIONAL


def test_a_file_with_no_date_column_loads_with_the_period_given(wh, tmp_path):
    # Darlington's quarterly files: two unnamed columns and no date column at all
    path = tmp_path / "no_dates.csv"
    path.write_text(",,Directotate,Service,Supplier,Invoice Line Value (net of VAT),Account\n"
                    "INSERTED DETAIL,,Resources Group,Resources,CIPFA,7335.00,Subscriptions\n",
                    encoding="utf-8")
    with pytest.raises(LoadError, match="missing required column.*'payment_date'"):
        load_file(wh, LOADERS["spend"], path)
    given = dataclasses.replace(LOADERS["spend"],
                                parse=functools.partial(spend.parse, period=date(2014, 1, 1)))
    r = load_file(wh, given, path)
    assert r.rows_loaded == 1
    assert any("2014-01-01 given by the user" in n and "no date column" in n for n in r.notes)
    assert wh.execute("select payment_date, amount_gbp from spend").fetchall() == [
        (date(2014, 1, 1), Decimal("7335.00"))]


def test_a_quarter_written_as_a_range_is_refused_naming_the_column(wh, tmp_path):
    # Darlington 2010: every date is the quarter, 'July 2010-September 2010'
    path = tmp_path / "quarter.csv"
    path.write_text("Date,Directorate,Service,Supplier,Invoice Line Value (net of VAT)\n"
                    "July 2010-September 2010,Corporate Services,Accountancy,AUDIT COMMISSION,"
                    "1142.00\n", encoding="utf-8")
    with pytest.raises(LoadError, match="column 'Date': no row has a usable date"):
        load_file(wh, LOADERS["spend"], path)


def test_nul_padding_after_the_last_line_is_not_data(wh, tmp_path):
    path = tmp_path / "padded.csv"
    path.write_bytes(b"Directorate,Payment Date,Supplier Name,Amount\r\n"
                     b"Housing,01/04/2019,A Ltd,600\r\n" + b"\x00" * 64)
    r = load_file(wh, LOADERS["spend"], path)
    assert (r.status, r.rows_loaded, r.rows_quarantined) == ("loaded", 1, 0)


def test_a_uk_file_with_one_mistyped_date_stays_day_first(wh, tmp_path):
    path = tmp_path / "typo.csv"
    rows = "".join(f"Housing,{d:02d}/04/2019,S{d},600\n" for d in range(1, 13))
    path.write_text("Directorate,Payment Date,Supplier Name,Amount\n" + rows
                    + "Housing,05/13/2019,Typo Ltd,600\n", encoding="utf-8")
    r = load_file(wh, LOADERS["spend"], path, max_bad_share=0.1)
    assert (r.rows_loaded, r.rows_quarantined) == (12, 1)
    assert wh.execute("select min(payment_date), max(payment_date) from spend").fetchall() == [
        (date(2019, 4, 1), date(2019, 4, 12))]


@pytest.mark.parametrize(("head", "says"), [
    (b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 64 + b"rest", "Excel workbook (.xlsx)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64 + b"rest",
     "old binary Excel .xls workbook"),
    (b"\r\n<!DOCTYPE html>\n<html><body>403 Access Denied</body></html>\n", "web page (HTML)"),
])
def test_a_workbook_or_web_page_published_as_csv_is_named_for_what_it_is(head, says, wh,
                                                                          tmp_path):
    # the GLA's 2012-13 P8 '.csv' was an Excel file, then a 403 page (dataset-gla README)
    path = tmp_path / "2012-13-P8-250.csv"
    path.write_bytes(head)
    with pytest.raises(LoadError, match=re.escape(says)):
        load_file(wh, LOADERS["spend"], path)


@pytest.mark.parametrize("empty", ["30/12/1899", "00/01/1900", "0000-00-00",
                                   "01/01/1900 00:00:00"])
def test_excels_empty_date_in_every_row_is_refused_naming_the_column(empty, wh, tmp_path):
    # a date cell left blank in Excel and formatted as a date exports as its day zero
    path = tmp_path / "zero.csv"
    path.write_text("Service Area,Pay Date,Supplier Name,Amount\n"
                    + "".join(f"Adult Social Care,{empty},S{k},600\n" for k in range(3)),
                    encoding="utf-8")
    with pytest.raises(LoadError, match=r"column 'Pay Date': no row has a usable date"):
        load_file(wh, LOADERS["spend"], path)
    given = dataclasses.replace(LOADERS["spend"],
                                parse=functools.partial(spend.parse, period=date(2013, 10, 1)))
    assert load_file(wh, given, path).rows_loaded == 3


def test_a_stray_quote_in_an_unquoted_pipe_file_does_not_swallow_the_rest(wh, tmp_path):
    # ledger extracts separated by pipes quote nothing: '"Acme' is a name, not a quoted cell
    path = tmp_path / "ledger.txt"
    path.write_text("Directorate|Payment Date|Supplier Name|Amount\n"
                    "Housing|01/04/2019|\"Acme|600.00\n"
                    "Housing|02/04/2019|5\" Pipes Ltd|700.00\n"
                    "Housing|03/04/2019|B Ltd|800\n", encoding="utf-8")
    r = load_file(wh, LOADERS["spend"], path)
    assert (r.rows_loaded, r.rows_quarantined) == (3, 0)
    got = wh.execute("select supplier_name, amount_gbp from spend order by line_no").fetchall()
    assert got == [('"Acme', Decimal("600.00")), ('5" Pipes Ltd', Decimal("700.00")),
                   ("B Ltd", Decimal("800.00"))]


@pytest.mark.parametrize("body", [
    # '"Acme' opens a quote it never closes
    'Housing,01/04/2019,"Acme,600.00\nHousing,02/04/2019,B,700\nHousing,03/04/2019,C,800\n',
    # ... or a later stray quote closes it, making one well-formed record of three lines
    'Housing,01/04/2019,"Acme,600.00\nHousing,02/04/2019,B,700\n'
    'Housing,03/04/2019,5" Pipe,800\n',
])
def test_stray_quotes_do_not_swallow_payments(body, wh, tmp_path):
    path = tmp_path / "stray.csv"
    path.write_text("Directorate,Payment Date,Supplier Name,Amount\n" + body, encoding="utf-8")
    r = load_file(wh, LOADERS["spend"], path)
    assert (r.rows_loaded, r.rows_quarantined) == (3, 0)
    got = wh.execute("select line_no, amount_gbp from spend order by 1").fetchall()
    assert got == [(2, Decimal("600.00")), (3, Decimal("700.00")), (4, Decimal("800.00"))]


def test_a_real_line_break_in_a_quoted_cell_stays_in_its_cell(wh, tmp_path):
    path = tmp_path / "address.csv"
    path.write_text("Directorate,Payment Date,Supplier Name,Amount\n"
                    'Housing,01/04/2019,"Fix-It\nBuilders, Leeds",600.00\n'
                    "Housing,02/04/2019,B,700\n", encoding="utf-8")
    load_file(wh, LOADERS["spend"], path)
    got = wh.execute("select line_no, supplier_name from spend order by 1").fetchall()
    assert got == [(2, "Fix-It\nBuilders, Leeds"), (4, "B")]


def test_a_comma_file_whose_notes_hold_semicolons_is_read_at_its_commas(wh, tmp_path):
    # the semicolons outnumber the commas on every line, but only commas give a header
    path = tmp_path / "notes.csv"
    path.write_text("Directorate,Payment Date,Supplier Name,Amount,Purpose\n"
                    + "".join(f"Housing,0{k}/04/2019,S{k},600,a; b; c; d; e; f\n"
                              for k in range(1, 9)), encoding="utf-8")
    src = read_source(path, COLUMNS, optional=OPTIONAL, keywords=KEYWORDS, trim=False)
    assert src.encoding == "utf-8"
    r = load_file(wh, LOADERS["spend"], path)
    assert (r.rows_loaded, r.rows_quarantined) == (8, 0)


@pytest.mark.parametrize(("header", "amount"), [
    ("Amount,Amount Excl VAT", "Amount Excl VAT"),
    ("Value,Net Value", "Net Value"),
    ("Amount incl VAT,Amount excl VAT", "Amount excl VAT"),
    ("Amount inc. VAT,VAT Amount,Amount ex VAT", "Amount ex VAT"),
    ("Amount (inc VAT),Amount (exc VAT)", "Amount (exc VAT)"),
    ("Amount,Nett Amount", "Nett Amount"),
    ("Amount,VAT Amount", "Amount"),
])
def test_the_amount_net_of_vat_is_read_when_a_file_has_both(header, amount, tmp_path):
    # the Transparency Code's amount excludes the VAT the council can recover
    path = tmp_path / "vat.csv"
    path.write_text(f"Directorate,Payment Date,Supplier Name,{header}\n", encoding="utf-8")
    src = read_source(path, COLUMNS, optional=OPTIONAL, keywords=KEYWORDS)
    assert src.labels["amount_gbp"] == amount


@pytest.mark.parametrize(("header", "body", "expected", "quarantined"), [
    # names with commas, published unquoted; 'Unit 1, 2,300.00': a bare '2' is no part of a
    # name, the amount is written in full
    ("Directorate,Payment Date,Supplier Name,Amount",
     "Housing,01/04/2019,Smith, J,600.00\nHousing,02/04/2019,Jones, K,700\n"
     "Housing,05/04/2019,Unit 1, 2,300.00\n",
     [("Smith, J", "600.00"), ("Jones, K", "700.00"), ("Unit 1", "2300.00")], []),
    # amounts with thousands separators, published unquoted; without pence they may be an
    # amount and a column the header does not name: not guessed
    ("Directorate,Payment Date,Supplier Name,Amount",
     "Housing,01/04/2019,A Ltd,1,600.00\nHousing,02/04/2019,B Ltd,2,700.00\n"
     "Housing,05/04/2019,C Ltd,1,600\n",
     [("A Ltd", "1600.00"), ("B Ltd", "2700.00")], [4]),
    # a pound sign and spaces around an amount with a thousands separator
    ("Directorate,Payment Date,Supplier Name,Amount",
     "Housing,01/04/2019,A Ltd, £ 1,234.56 \nHousing,02/04/2019,B Ltd,-£2,000.00\n"
     "Housing,03/04/2019,C Ltd,(1,000.00)\n",
     [("A Ltd", "1234.56"), ("B Ltd", "-2000.00"), ("C Ltd", "-1000.00")], []),
    # the Code's column order, the amount before the name: a comma in each
    ("Body Name,Expense Area,Payment Date,Transaction Number,Amount,Beneficiary Name",
     "Testborough,Housing,01/04/2023,1,600.00,Smith, J\n"
     "Testborough,Housing,01/04/2023,2,1,234.56,Acme Ltd\n",
     [("Smith, J", "600.00"), ("Acme Ltd", "1234.56")], []),
    # a column the header does not name (VAT): never joined into the amount or a name
    ("Directorate,Payment Date,Supplier Name,Amount",
     "Housing,01/04/2023,A Ltd,600,120\nHousing,02/04/2023,B Ltd,700.00,140.00\n"
     "Housing,03/04/2023,C Ltd,50\n",
     [("C Ltd", "50.00")], [2, 3]),
])
def test_a_comma_published_unquoted_is_mended_only_when_the_pounds_are_clear(
        header, body, expected, quarantined, wh, tmp_path):
    path = tmp_path / "unquoted.csv"
    path.write_text(header + "\n" + body, encoding="utf-8")
    r = load_file(wh, LOADERS["spend"], path)
    assert (r.rows_loaded, r.rows_quarantined) == (len(expected), len(quarantined))
    assert [q["line_no"] for q in r.rejected] == quarantined
    got = wh.execute("select supplier_name, amount_gbp from spend order by line_no").fetchall()
    assert got == [(s, Decimal(a)) for s, a in expected]
    width = header.count(",")
    wide = [n + 2 for n, line in enumerate(body.splitlines())
            if line.count(",") > width and n + 2 not in quarantined]
    assert bool(wide) == any("comma in an unquoted cell" in n for n in r.notes)
    # each mended row says so in its own lineage; a line read as published does not
    marks = dict(wh.execute("select line_no, text_marks from spend").fetchall())
    assert all(marks[n].endswith("unquoted comma mended") for n in wide)
    assert all("mended" not in (marks[n] or "") for n in marks if n not in wide)


def test_a_line_with_commas_in_two_cells_stays_quarantined(wh, tmp_path):
    path = tmp_path / "two_commas.csv"
    path.write_text("Directorate,Payment Date,Supplier Name,Amount\n"
                    "Housing,01/04/2019,Jones, Smith & Co,2,000.00\n"
                    + "".join(f"Housing,02/04/2019,S{k},700\n" for k in range(30)),
                    encoding="utf-8")
    r = load_file(wh, LOADERS["spend"], path)
    assert (r.rows_loaded, r.rows_quarantined) == (30, 1)
    assert "6 cells where the header has 4" in r.rejected[0]["reason"]


@pytest.mark.parametrize(("rows", "loaded", "skipped"), [
    # a named payment, then a blank dated row of the same amount: a one-payment subtotal
    ("Fleet,01/04/2019,A Ltd,600\n,30/04/2019,,600\nParks,02/04/2019,B Ltd,50\n", 2, 1),
    # payments published without names: the second 600 repeats the first, it is no total
    (",01/04/2019,,600\n,02/04/2019,,600\n,03/04/2019,,50\n", 3, 0),
])
def test_a_blank_dated_row_repeating_one_payment_is_a_total_only_if_that_one_is_named(
        rows, loaded, skipped, wh, tmp_path):
    path = tmp_path / "dated_sums.csv"
    path.write_text("Directorate,Payment Date,Supplier Name,Amount\n" + rows, encoding="utf-8")
    r = load_file(wh, LOADERS["spend"], path)
    recon = r.summary["reconciliation"]
    assert (r.rows_loaded, recon.total_rows, r.rows_quarantined) == (loaded, skipped, 0)


def test_a_tab_file_quoting_only_its_line_breaks_keeps_them_in_their_cells(wh, tmp_path):
    # Excel's "Unicode text" export quotes a cell only when it holds a line break
    path = tmp_path / "tabs.txt"
    path.write_text("Directorate\tPayment Date\tSupplier Name\tAmount\n"
                    "Housing\t01/04/2023\t\"B\nLtd\"\t700.00\nHousing\t02/04/2023\tC Ltd\t50\n",
                    encoding="utf-8")
    r = load_file(wh, LOADERS["spend"], path)
    assert (r.rows_loaded, r.rows_quarantined) == (2, 0)
    assert wh.execute("select line_no, supplier_name, amount_gbp from spend order by 1"
                      ).fetchall() == [(2, "B\nLtd", Decimal("700.00")), (4, "C Ltd", Decimal(50))]


@pytest.mark.parametrize(("rows", "loaded", "totals"), [
    # a supplier whose name starts 'Total' is a payment (here one with no date: quarantined)
    ("Housing,,Total Gas & Power,700\nHousing,02/04/2023,B Ltd,50\n", 1, 0),
    # no department column: a blank supplier repeating the payment above may be withheld
    ("Parks,01/04/2023,Acme Ltd,600\nParks,01/04/2023,,600\n", 2, 0),
])
def test_payments_that_look_a_little_like_totals_are_not_taken_for_them(rows, loaded, totals,
                                                                        wh, tmp_path):
    header = "Directorate,Payment Date,Supplier Name,Amount\n"
    if rows.startswith("Parks"):  # the same file without its department column
        header = "Payment Date,Supplier Name,Amount\n"
        rows = "".join(line.split(",", 1)[1] + "\n" for line in rows.splitlines())
    path = tmp_path / "not_totals.csv"
    path.write_text(header + rows, encoding="utf-8")
    r = load_file(wh, LOADERS["spend"], path)
    assert (r.rows_loaded, r.summary["reconciliation"].total_rows) == (loaded, totals)
    assert r.rows_loaded + r.rows_quarantined == 2


def test_half_pennies_round_away_from_zero_in_the_table_and_the_reconciliation(wh, tmp_path):
    path = tmp_path / "half_pennies.csv"
    path.write_text("Directorate,Payment Date,Supplier Name,Amount\n"
                    "Housing,01/04/2023,A Ltd,1.015\nHousing,01/04/2023,B Ltd,-600.445\n"
                    "Housing,01/04/2023,C Ltd,1428.6399999999999\n", encoding="utf-8")
    r = load_file(wh, LOADERS["spend"], path)
    got = [a for (a,) in wh.execute("select amount_gbp from spend order by line_no").fetchall()]
    assert got == [Decimal("1.02"), Decimal("-600.45"), Decimal("1428.64")]
    assert r.summary["reconciliation"].file_total == int(sum(got) * 100)


def test_a_dated_subtotal_labelled_total_is_not_a_payment(wh, tmp_path):
    path = tmp_path / "labelled_subtotal.csv"
    path.write_text("Directorate,Payment Date,Supplier Name,Amount\n"
                    "Housing,01/04/2023,A Ltd,600\nHousing,02/04/2023,B Ltd,700\n"
                    "Total Housing,30/04/2023,,1300\n"
                    "Total Facilities Management,30/04/2023,,250\n", encoding="utf-8")
    r = load_file(wh, LOADERS["spend"], path)
    # the last is no sum of anything above: a payment to a service of that name
    assert (r.rows_loaded, r.summary["reconciliation"].total_rows) == (3, 1)
    assert wh.execute("select sum(amount_gbp) from spend").fetchall()[0][0] == 1550


@pytest.mark.parametrize("last", ["\r\n", "\r", ""])
def test_old_mac_line_ends_load_even_when_the_last_line_ends_crlf(last, wh, tmp_path):
    # Hyndburn's monthly files: each line ends with CR alone, the last with CRLF
    path = tmp_path / "mac.csv"
    path.write_bytes(("Name,Payment date,Net Amount\rTHOMSON REUTERS,03/05/2017,337\r"
                      f"EDEN BROWN LTD,03/05/2017,681.6{last}").encode())
    r = load_file(wh, LOADERS["spend"], path)
    assert (r.status, r.rows_loaded, r.rows_quarantined) == ("loaded", 2, 0)
    assert wh.execute("select list(line_no order by line_no), sum(amount_gbp) from spend"
                      ).fetchall() == [([2, 3], Decimal("1018.60"))]


def test_a_file_published_without_its_header_row_is_refused_saying_so(wh, tmp_path):
    # three of Hyndburn's 2025 files were published with no header row
    path = tmp_path / "no_header.csv"
    path.write_text("ENVS - Environmental Services,,CAA,1,CRINV0009515,Rider Levett Bucknall Uk "
                    'Ltd,03/04/2025,"4,072.51"\n'
                    "ENVS - Environmental Services,,CAA,1,CRINV0009516,Acme,04/04/2025,72.51\n",
                    encoding="utf-8")
    with pytest.raises(LoadError, match=r"no_header\.csv: no header row in its first 2 lines"):
        load_file(wh, LOADERS["spend"], path)


@pytest.mark.parametrize("header", ["Directorate,Payment Date,Supplier Name,Amount,",
                                    "Directorate,Payment Date,Supplier Name,Amount"])
def test_an_unquoted_comma_is_mended_beside_empty_trailing_columns(header, wh, tmp_path):
    # Excel exports often end every line with an empty cell, the header's too or not
    path = tmp_path / "trailing.csv"
    path.write_text(header + "\nHousing,01/04/2023,Smith, J,600,\nHousing,02/04/2023,B Ltd,700,\n",
                    encoding="utf-8")
    r = load_file(wh, LOADERS["spend"], path)
    assert (r.rows_loaded, r.rows_quarantined) == (2, 0)
    assert wh.execute("select supplier_name, amount_gbp from spend order by line_no").fetchall() \
        == [("Smith, J", Decimal(600)), ("B Ltd", Decimal(700))]
