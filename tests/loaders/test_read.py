"""Reading messy CSVs: header past a preamble, aliases, encodings, line numbers, footers."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pyarrow as arrow
import pytest

from warehouse.loaders.base import (
    LoadError,
    financial_year_arrow,
    fy_label,
    header_labels,
    parse_amount,
    parse_amount_arrow,
    parse_date_arrow,
    read_source,
    to_utf8,
)
from warehouse.loaders.spend import COLUMNS, OPTIONAL

SIMPLE = {"name": ("Supplier Name", "Beneficiary"), "amount": ("Amount", "Net Amount")}


def _rows(src) -> list[tuple]:
    t = src.table
    return list(zip(t.column("_line").to_pylist(), t.column("name").to_pylist(),
                    t.column("amount").to_pylist(), strict=True))


def test_header_is_found_past_a_preamble_and_aliases_map(fixtures):
    src = read_source(fixtures / "spend_messy.csv", COLUMNS, optional=OPTIONAL)
    assert src.header_line == 4
    assert src.labels["supplier_name"] == "Beneficiary"
    assert src.labels["amount_gbp"] == "Amount"
    assert src.labels["department_label"] == "Directorate"
    assert src.labels["payment_date"] == "Date Paid"


def test_line_numbers_survive_blank_lines_quoted_newlines_and_a_footer(fixtures):
    src = read_source(fixtures / "spend_messy.csv", COLUMNS, optional=OPTIONAL)
    lines = sorted(src.table.column("_line").to_pylist())
    # line 9 is blank, the record on line 10 runs onto line 11, line 14 is the 'Total' footer
    assert lines == [5, 6, 7, 8, 10, 12, 13]
    by_line = dict(zip(src.table.column("_line").to_pylist(),
                       src.table.column("supplier_name").to_pylist(), strict=True))
    assert by_line[10] == "Fix-It\nBuilders"
    assert src.raw([12])[0].startswith("Testborough Council,Adult Social Care,Home Care")
    assert src.skipped_lines == 1


def test_cells_are_trimmed(fixtures):
    src = read_source(fixtures / "spend_messy.csv", COLUMNS, optional=OPTIONAL)
    amounts = src.table.column("amount_gbp").to_pylist()
    assert "900.10" in amounts


def test_missing_column_names_file_line_and_accepted_names(fixtures):
    with pytest.raises(LoadError) as err:
        read_source(fixtures / "spend_missing_column.csv", COLUMNS, optional=OPTIONAL)
    text = str(err.value)
    assert "spend_missing_column.csv" in text
    assert "line 1" in text
    assert "'amount_gbp'" in text and "Net Amount" in text


def test_empty_file_is_an_error(fixtures):
    with pytest.raises(LoadError, match="spend_empty.csv: the file is empty"):
        read_source(fixtures / "spend_empty.csv", COLUMNS, optional=OPTIONAL)


def test_header_only_file_has_no_rows(fixtures):
    src = read_source(fixtures / "spend_header_only.csv", COLUMNS, optional=OPTIONAL)
    assert len(src) == 0


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1", "utf-8-sig", "utf-16"])
def test_encodings_are_read_and_the_pound_sign_survives(tmp_path, encoding):
    text = "Supplier Name,Amount\nCaf\u00e9 Ltd,\u00a3100.00\nO\u2019Brien,200\n"
    if encoding == "latin-1":
        text = text.replace("\u2019", "'")
    path = tmp_path / f"f_{encoding}.csv"
    path.write_bytes(text.encode(encoding))
    src = read_source(path, SIMPLE)
    assert src.table.column("name").to_pylist()[0] == "Caf\u00e9 Ltd"
    assert src.table.column("amount").to_pylist()[0] == "\u00a3100.00"
    assert src.encoding in {"cp1252": ("cp1252",), "latin-1": ("cp1252", "latin-1"),
                            "utf-8-sig": ("utf-8",), "utf-16": ("utf-16",)}[encoding]


def test_a_legacy_byte_after_the_first_64kb_is_still_decoded(tmp_path):
    head = "Supplier Name,Amount\n" + "Plain Supplier,1.00\n" * 5000
    data = head.encode("utf-8") + "Caf\u00e9,2.00\n".encode("cp1252")
    path = tmp_path / "late.csv"
    path.write_bytes(data)
    src = read_source(path, SIMPLE)
    assert src.encoding == "cp1252"
    assert src.table.column("name").to_pylist()[-1] == "Caf\u00e9"


def test_nul_bytes_mean_not_a_text_file(tmp_path):
    path = tmp_path / "binary.csv"
    path.write_bytes(b"PK\x03\x04\x00\x00binary")
    with pytest.raises(LoadError, match="not a text file"):
        read_source(path, SIMPLE)


def test_old_mac_line_ends(tmp_path):
    path = tmp_path / "mac.csv"
    path.write_bytes(b"Supplier Name,Amount\rA,1\rB,2\r")
    src = read_source(path, SIMPLE)
    assert _rows(src) == [(2, "A", "1"), (3, "B", "2")]


def test_crlf_line_ends(tmp_path):
    path = tmp_path / "crlf.csv"
    path.write_bytes(b"Supplier Name,Amount\r\nA,1\r\n\r\nB,2\r\n")
    src = read_source(path, SIMPLE)
    assert sorted(_rows(src)) == [(2, "A", "1"), (4, "B", "2")]


def test_ragged_rows_keep_their_line_and_cells(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("Supplier Name,Amount,Note\nA,1,x\nB2\nC,3,y,extra\nD,4,z,,\nE,5,w\n",
                    encoding="utf-8")
    src = read_source(path, {**SIMPLE, "note": ("Note",)})
    cells = dict(zip(src.table.column("_line").to_pylist(),
                     src.table.column("_cells").to_pylist(), strict=True))
    # trailing empty cells do no harm; a missing or an extra filled cell is kept for quarantine
    assert cells == {2: 3, 3: 1, 4: 4, 5: 3, 6: 3}
    assert src.raw([3, 4]) == ["B2", "C,3,y,extra"]


def test_a_stray_quote_falls_back_to_the_exact_reader(tmp_path):
    path = tmp_path / "stray.csv"
    path.write_text('Supplier Name,Amount\nA 5" Screens,1\nB,2\nC,3\n', encoding="utf-8")
    src = read_source(path, SIMPLE)
    assert [r[0] for r in _rows(src)] == [2, 3, 4]
    assert _rows(src)[0][1] == 'A 5" Screens'


def test_an_unterminated_quote_at_the_end_is_one_bad_record(tmp_path):
    path = tmp_path / "cut.csv"
    path.write_text('Supplier Name,Amount\nA,1\n"B is cut', encoding="utf-8")
    src = read_source(path, SIMPLE)
    rows = _rows(src)
    assert rows[0] == (2, "A", "1")
    assert rows[-1][0] == 3


def test_header_labels_reads_only_the_head(fixtures):
    labels = header_labels(fixtures / "spend_messy.csv", {"amount": ("Amount",)})
    assert labels == {"amount": "Amount"}
    assert header_labels(fixtures / "spend_messy.csv", {"x": ("Nope",)}) is None


def test_to_utf8_refuses_blank_input():
    with pytest.raises(LoadError, match="empty"):
        to_utf8(b"  \n\r\n ", "blank.csv")


# --- cells --------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "value"), [
    ("1234.50", 1234.5), ("\u00a31,234.50", 1234.5), ("(500.00)", -500.0), ("-500", -500.0),
    ("500.00CR", -500.0), ("1,000 DR", 1000.0), (" 12 ", 12.0), ("GBP 10", 10.0),
    ("\u2212 7.5", -7.5), ("300-", -300.0), (".5", 0.5), ("+4", 4.0),
])
def test_amounts_as_published(text, value):
    assert parse_amount_arrow(arrow.array([text]))[0] == pytest.approx(value)


@pytest.mark.parametrize("text", ["", "ten", "12/06/2012900", "1.2.3", "nan", "inf", "--5"])
def test_amounts_that_are_not_numbers(text):
    assert np.isnan(parse_amount_arrow(arrow.array([text]))[0])


def test_parse_amount_keeps_the_pandas_index():
    s = pd.Series(["(1.00)", None, "x"], index=[10, 11, 12], dtype=object)
    out = parse_amount(s)
    assert list(out.index) == [10, 11, 12]
    assert out[10] == -1.0 and np.isnan(out[11]) and np.isnan(out[12])


@pytest.mark.parametrize(("text", "day"), [
    ("25/06/2012", date(2012, 6, 25)), ("5/6/2012", date(2012, 6, 5)),
    ("25/06/12", date(2012, 6, 25)), ("25-06-2012", date(2012, 6, 25)),
    ("25.06.2012", date(2012, 6, 25)), ("2012-06-25", date(2012, 6, 25)),
    ("25-Jun-2012", date(2012, 6, 25)), ("25 June 2012", date(2012, 6, 25)),
    ("25-JUN-12", date(2012, 6, 25)), ("25/06/2012 00:00:00", date(2012, 6, 25)),
    ("2012-06-25T09:30:00", date(2012, 6, 25)),
])
def test_uk_dates(text, day):
    assert parse_date_arrow(arrow.array([text])).to_pylist() == [day]


@pytest.mark.parametrize("text", ["31/02/2012", "25/06/2012900", "06/25/2012", "2012", "",
                                  "13/13/2013", "25-Jux-2012"])
def test_not_dates(text):
    assert parse_date_arrow(arrow.array([text])).to_pylist() == [None]


def test_financial_years():
    days = arrow.array([date(2023, 3, 31), date(2023, 4, 1), None])
    assert financial_year_arrow(days).to_pylist() == ["2022/23", "2023/24", None]
    assert fy_label("2017-18") == "2017/18"
    assert fy_label("2017/2018") == "2017/18"
    assert fy_label("2017") == "2017/18"
    assert fy_label("2017-19") is None
    assert fy_label("17-18") is None


@pytest.mark.parametrize("name", ["spend_messy.csv", "spend_bad_rows.csv", "spend_truncated.csv"])
def test_the_fast_and_the_exact_reader_agree(fixtures, monkeypatch, name):
    import warehouse.loaders.reader as base

    fast = read_source(fixtures / name, COLUMNS, optional=OPTIONAL)

    def refuse(*args, **kwargs):
        raise base._Fallback("forced")

    monkeypatch.setattr(base, "_fast_read", refuse)
    exact = read_source(fixtures / name, COLUMNS, optional=OPTIONAL)

    def rows(src):
        t = src.table.sort_by("_line")
        return t.to_pylist()

    assert rows(fast) == rows(exact)
    lines = fast.table.column("_line").to_pylist()
    assert fast.raw(lines) == exact.raw(lines)
