"""The spend kind on small fixtures: parsing, mapping, quarantine, refusal, re-issues."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pandera.pandas as pa
import pytest

from tests.loaders.conftest import table_state
from warehouse.loaders import LOADERS, LoadError, load_file
from warehouse.loaders.base import Loader
from warehouse.loaders.spend import UNMAPPED, spend_schema

SPEND = LOADERS["spend"]


def _spend(con) -> pd.DataFrame:
    return con.execute("select * from spend order by line_no").df()


def _rejected(con) -> pd.DataFrame:
    return con.execute("select * from rejected_row order by line_no").df()


def test_messy_file_loads_with_amounts_dates_credit_notes_and_services(wh, fixtures):
    r = load_file(wh, SPEND, fixtures / "spend_messy.csv")
    assert (r.status, r.rows_read, r.rows_loaded, r.rows_quarantined) == ("loaded", 7, 7, 0)
    got = _spend(wh)
    assert got["line_no"].tolist() == [5, 6, 7, 8, 10, 12, 13]
    assert [float(a) for a in got["amount_gbp"]] == [1234.5, -500.0, -750.0, -250.0, 2000.0,
                                                      900.1, 900.1]
    assert got["service_code"].tolist() == ["LUNCH", "LUNCH", "HOMECARE", "HOMECARE", "REPAIRS",
                                            "HOMECARE", "HOMECARE"]
    assert got["payment_date"][2].date().isoformat() == "2023-04-05"  # written 5/4/23
    assert set(got["financial_year"]) == {"2023/24"}
    assert got["supplier_name"][4] == "Fix-It\nBuilders"
    total = wh.execute("select sum(amount_gbp) from spend").fetchall()[0][0]
    assert total == Decimal("3534.70")


def test_duplicate_payment_lines_both_load(wh, fixtures):
    load_file(wh, SPEND, fixtures / "spend_messy.csv")
    dup = wh.execute("select count(*) from spend where supplier_name = 'Carers Co'").fetchall()
    assert dup[0][0] == 2  # the same payment twice is two payments: each keeps its line


def test_bad_rows_are_quarantined_with_line_column_and_rule(wh, fixtures):
    r = load_file(wh, SPEND, fixtures / "spend_bad_rows.csv", max_bad_share=0.6)
    assert (r.status, r.rows_read, r.rows_loaded, r.rows_quarantined) == ("loaded", 10, 5, 5)
    rej = {row.line_no: row for row in _rejected(wh).itertuples()}
    assert set(rej) == {3, 4, 5, 6, 7}
    assert rej[3].column_name == "Payment Date" and "'31/02/2023'" in rej[3].reason
    assert rej[4].column_name == "Net Amount" and "'ten pounds'" in rej[4].reason
    assert UNMAPPED in rej[5].reason and "Children's Services" in rej[5].reason
    assert rej[6].reason.startswith("the line has 6 cells where the header has 7")
    assert "'04/04/2023100.00'" in rej[6].reason
    assert rej[7].column_name == "Supplier Name"
    assert rej[6].raw_text == ("Testborough Council,Adult Social Care,Luncheon Clubs,Grants,"
                               "04/04/2023100.00,Lunch Co")
    assert _spend(wh)["line_no"].tolist() == [2, 8, 9, 10, 11]


def test_too_many_bad_rows_refuse_the_file_whole(wh, fixtures):
    before = wh.execute("select count(*) from spend").fetchall()[0][0]
    r = load_file(wh, SPEND, fixtures / "spend_bad_rows.csv")
    assert r.status == "refused" and r.rows_loaded == 0 and r.rows_quarantined == 5
    assert "5 of 10 rows (50.0%)" in r.message and "5% allowed" in r.message
    assert wh.execute("select count(*) from spend").fetchall()[0][0] == before
    log = wh.execute("select status, rows_read, rows_loaded from load_log "
                     "where kind = 'spend'").fetchall()
    assert log == [("refused", 10, 0)]
    assert len(_rejected(wh)) == 5  # the refusal is explained row by row


def test_truncated_file_quarantines_the_cut_line(wh, fixtures):
    r = load_file(wh, SPEND, fixtures / "spend_truncated.csv", max_bad_share=0.3)
    assert (r.rows_read, r.rows_loaded, r.rows_quarantined) == (4, 3, 1)
    cut = _rejected(wh).iloc[0]
    assert cut.line_no == 5
    assert "the line has 4 cells where the header has 7" in cut.reason
    assert "cut short" in cut.reason


def test_header_only_file_loads_nothing(wh, fixtures):
    r = load_file(wh, SPEND, fixtures / "spend_header_only.csv")
    assert (r.status, r.rows_read, r.rows_loaded, r.message) == ("loaded", 0, 0, "no data rows")


def test_empty_file_and_missing_column_fail_and_change_nothing(wh, fixtures):
    before = table_state(wh)
    with pytest.raises(LoadError, match="empty"):
        load_file(wh, SPEND, fixtures / "spend_empty.csv")
    with pytest.raises(LoadError, match="'amount_gbp'"):
        load_file(wh, SPEND, fixtures / "spend_missing_column.csv")
    assert table_state(wh) == before


def test_wrong_encoding_is_read(wh, tmp_path):
    text = ("Department,Service Area,Expenses Type,Payment Date,Net Amount,Supplier Name\n"
            "Adult Social Care,Luncheon Clubs,Grants,03/04/2023,\u00a3600.00,Caf\u00e9 "
            "Caf\u00e9 \u2013 O\u2019Neill\n")
    path = tmp_path / "cp1252.csv"
    path.write_bytes(text.encode("cp1252"))
    r = load_file(wh, SPEND, path)
    assert r.rows_loaded == 1
    row = _spend(wh).iloc[0]
    assert row.supplier_name == "Caf\u00e9 Caf\u00e9 \u2013 O\u2019Neill"
    assert row.amount_gbp == Decimal("600.00")


def test_expense_type_mapping_for_files_without_a_service_area(wh, tmp_path):
    path = tmp_path / "no_area.csv"
    path.write_text(
        "Body,Department,Supplier Name,Invoice Creation Date,Invoice Nett Amount,Subj Description\n"
        "TBC,adult  social care,Carers Co,01/05/2023,100.00,HOME CARE - INDEPENDENT SECTOR\n"
        "TBC,Housing,Fixers,01/05/2023,200.00,REPAIRS\n", encoding="utf-8")
    r = load_file(wh, SPEND, path)
    assert r.rows_loaded == 2
    assert _spend(wh)["service_code"].tolist() == ["HOMECARE", "REPAIRS"]


def test_same_file_twice_changes_nothing(wh, fixtures):
    load_file(wh, SPEND, fixtures / "spend_messy.csv")
    before = {k: v for k, v in table_state(wh).items() if k != "load_log"}
    again = load_file(wh, SPEND, fixtures / "spend_messy.csv")
    assert again.status == "skipped" and again.rows_loaded == 0
    assert {k: v for k, v in table_state(wh).items() if k != "load_log"} == before


def test_same_content_under_another_name_is_not_loaded_twice(wh, fixtures, tmp_path):
    load_file(wh, SPEND, fixtures / "spend_messy.csv")
    copy = tmp_path / "renamed.csv"
    copy.write_bytes((fixtures / "spend_messy.csv").read_bytes())
    r = load_file(wh, SPEND, copy)
    assert r.status == "skipped" and "spend_messy.csv" in r.message
    assert wh.execute("select count(*) from spend").fetchall()[0][0] == 7


def test_a_corrected_reissue_replaces_the_earlier_rows(wh, tmp_path):
    path = tmp_path / "spend_2023-04.csv"
    head = "Department,Service Area,Expenses Type,Payment Date,Net Amount,Supplier Name\n"
    path.write_text(head + "Housing,,Repairs,01/04/2023,100.00,A\n"
                    "Housing,,Repairs,02/04/2023,999999.00,B\n", encoding="utf-8")
    load_file(wh, SPEND, path)
    path.write_text(head + "Housing,,Repairs,01/04/2023,100.00,A\n"
                    "Housing,,Repairs,02/04/2023,999.00,B\n", encoding="utf-8")
    r = load_file(wh, SPEND, path)
    assert r.status == "loaded"
    assert wh.execute("select sum(amount_gbp) from spend").fetchall()[0][0] == Decimal("1099.00")
    # and going back to the first version is a re-issue too, not a skip
    path.write_text(head + "Housing,,Repairs,01/04/2023,100.00,A\n"
                    "Housing,,Repairs,02/04/2023,999999.00,B\n", encoding="utf-8")
    assert load_file(wh, SPEND, path).status == "loaded"
    assert wh.execute("select count(*) from spend").fetchall()[0][0] == 2


def test_a_failed_insert_rolls_the_file_back(wh, fixtures):
    """A database error part-way through a file leaves the warehouse exactly as it was."""
    before = table_state(wh)

    def parse(path, quarantine, con):
        good = SPEND.parse(path, quarantine, con)
        good["spend_mapping"] = pd.DataFrame({  # a second table whose insert fails (no service)
            "department_label": ["x"], "service_area_label": [""], "service_code": ["NOPE"]})
        return good

    broken = Loader(kind="spend", tables=("spend",), parse=parse)
    with pytest.raises(LoadError, match="spend_messy.csv"):
        load_file(wh, broken, fixtures / "spend_messy.csv")
    assert table_state(wh) == before


def test_the_rules_are_a_pandera_schema():
    schema = spend_schema(7)
    assert isinstance(schema, pa.DataFrameSchema)
    assert {"payment_date", "amount_gbp", "service_code", "_cells"} <= set(schema.columns)
