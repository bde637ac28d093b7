"""The spend kind on small fixtures: parsing, mapping, quarantine, refusal, re-issues."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow as arrow
import pytest

from tests.loaders.conftest import real, table_state
from tests.loaders.test_spend_lambeth import LAMBETH
from warehouse.build import CHECKS
from warehouse.loaders import LOADERS, LoadError, load_file
from warehouse.loaders.base import (
    Loader,
    Quarantine,
    parse_amount_arrow,
    parse_date_arrow,
    read_source,
    validate,
)
from warehouse.loaders.spend import (
    COLUMNS,
    OPTIONAL,
    named_width,
    organisational,
    rule_failures,
    spend_frame,
    spend_schema,
)

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
    assert (r.status, r.rows_read, r.rows_loaded, r.rows_quarantined) == ("loaded", 10, 7, 3)
    rej = {row.line_no: row for row in _rejected(wh).itertuples()}
    assert set(rej) == {3, 4, 6}
    assert rej[3].column_name == "Payment Date" and "'31/02/2023'" in rej[3].reason
    assert rej[4].column_name == "Net Amount" and "'ten pounds'" in rej[4].reason
    assert rej[6].reason.startswith("the line has 6 cells where the header has 7")
    assert "'04/04/2023100.00'" in rej[6].reason
    assert rej[6].raw_text == ("Testborough Council,Adult Social Care,Luncheon Clubs,Grants,"
                               "04/04/2023100.00,Lunch Co")
    got = _spend(wh).set_index("line_no")
    assert got.index.tolist() == [2, 5, 7, 8, 9, 10, 11]
    # an unmapped department is real spend, held as not yet allocated; so is a blank supplier
    assert pd.isna(got.loc[5, "service_code"]) and got.loc[5, "department_label"] == \
        "Children's Services"
    assert got.loc[7, "supplier_name"] == "" and got.loc[7, "text_marks"] == "supplier blank"
    assert got.loc[7, "service_code"] == "LUNCH"


def test_bad_rows_never_stop_the_good_ones_and_a_high_share_is_said_first(wh, fixtures):
    r = load_file(wh, SPEND, fixtures / "spend_bad_rows.csv")
    assert r.status == "loaded" and (r.rows_loaded, r.rows_quarantined) == (7, 3)
    assert r.notes[0].startswith("warning: 3 of 10 rows (30.0%) failed validation and were "
                                 "quarantined")
    assert wh.execute("select count(*) from spend").fetchall()[0][0] == 7
    assert len(_rejected(wh)) == 3


def test_a_file_with_no_good_row_is_refused(wh, tmp_path):
    path = tmp_path / "spend_all_bad.csv"
    path.write_text("Department,Service Area,Expenses Type,Payment Date,Net Amount,Supplier Name\n"
                    "Adult Social Care,Day Care,Grants,01/04/2023,lots,A Ltd\n"
                    "Adult Social Care,Day Care,Grants,31/02/2023,12.00,B Ltd\n",
                    encoding="utf-8")
    r = load_file(wh, SPEND, path)
    assert r.status == "refused" and r.rows_loaded == 0 and r.rows_quarantined == 2
    assert "every one of its 2 rows failed validation" in r.message
    assert wh.execute("select count(*) from spend where source_file = $f",
                      {"f": path.name}).fetchall()[0][0] == 0


def test_too_many_bad_rows_refuse_the_file_whole_under_a_limit_the_user_sets(wh, fixtures):
    before = wh.execute("select count(*) from spend").fetchall()[0][0]
    r = load_file(wh, SPEND, fixtures / "spend_bad_rows.csv", max_bad_share=0.05)
    assert r.status == "refused" and r.rows_loaded == 0 and r.rows_quarantined == 3
    assert "3 of 10 rows (30.0%)" in r.message and "5% allowed" in r.message
    assert wh.execute("select count(*) from spend").fetchall()[0][0] == before
    log = wh.execute("select status, rows_read, rows_loaded from load_log "
                     "where kind = 'spend'").fetchall()
    assert log == [("refused", 10, 0)]
    assert len(_rejected(wh)) == 3  # the refusal is explained row by row


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
    assert {"payment_date", "amount_gbp", "supplier_name", "_cells"} <= set(schema.columns)


def _with_rows_changed(change):
    """The spend loader, with its parsed rows changed before the insert (to break a key)."""
    def parse(path, quarantine, con):
        good = SPEND.parse(path, quarantine, con)
        good["spend"] = change(good["spend"])
        return good

    return dataclasses.replace(SPEND, parse=parse)


def test_a_line_twice_fails_the_file_naming_file_line_and_column(wh, fixtures):
    """The key (source_file, line_no) is checked in the file's transaction after the insert."""
    before = table_state(wh)
    twice = _with_rows_changed(lambda t: arrow.concat_tables([t, t.slice(2, 1)]))
    with pytest.raises(LoadError) as err:
        load_file(wh, twice, fixtures / "spend_messy.csv")
    text = str(err.value)
    assert "spend_messy.csv: line 7: column 'line_no'" in text and "nothing was loaded" in text
    assert table_state(wh) == before  # the insert was rolled back with the rest


def test_a_service_that_does_not_exist_fails_the_file(wh, fixtures):
    """spend.service_code -> service is checked in the file's transaction after the insert."""
    before = table_state(wh)

    def unknown(t):
        codes = t.column("service_code").to_pylist()
        codes[1] = "NOPE"
        return t.set_column(t.schema.get_field_index("service_code"), "service_code",
                            arrow.array(codes))

    with pytest.raises(LoadError) as err:
        load_file(wh, _with_rows_changed(unknown), fixtures / "spend_messy.csv")
    assert "spend_messy.csv: line 6: column 'service_code': 'NOPE' is not a service" \
        in str(err.value)
    assert table_state(wh) == before


def test_the_key_checks_of_the_build_see_the_same_faults(wh, fixtures):
    def check(name):
        return wh.execute((CHECKS / f"{name}.sql").read_text(encoding="utf-8")).df()

    load_file(wh, SPEND, fixtures / "spend_messy.csv")
    assert check("spend_key_unique").empty and check("spend_service_exists").empty
    wh.execute("insert into spend select * replace ('NOPE' as service_code) from spend "
               "where line_no = 5")
    assert check("spend_key_unique").to_dict("records") == [
        {"source_file": "spend_messy.csv", "line_no": 5, "n_rows": 2}]
    assert check("spend_service_exists")["line_no"].tolist() == [5]


SPEND_FIXTURES = ["spend_messy.csv", "spend_bad_rows.csv", "spend_truncated.csv",
                  "spend_header_only.csv"]


@pytest.mark.parametrize("name", [*SPEND_FIXTURES, "real:" + LAMBETH])
def test_the_column_wise_rules_and_the_pandera_schema_agree(wh, fixtures, name):
    """The loader runs pandera only on the rows its column-wise rules flag: the two must pick
    out the same rows, so pandera here validates every row of the file (the real Lambeth
    file has ragged lines, unmapped departments and bad dates)."""
    path = real(name[5:]) if name.startswith("real:") else fixtures / name
    src = read_source(path, COLUMNS, optional=OPTIONAL, trim=False)
    t = organisational(src)
    amount = parse_amount_arrow(t.column("amount_gbp"))
    pdate = parse_date_arrow(t.column("payment_date"))
    named = named_width(src.header)
    flagged = rule_failures(t, amount, pdate, src.width, named)
    frame = spend_frame(t, amount, pdate)
    quarantine = Quarantine(name)
    passed = validate(frame, spend_schema(src.width, named), quarantine)
    failed = np.ones(len(frame), dtype=bool)
    failed[passed.index.to_numpy()] = False
    assert flagged.tolist() == failed.tolist()



@pytest.mark.parametrize(("change", "expected"), [
    ("line", r"column 'line_no': the spend key \(source_file, line_no\)"),
    ("service", "column 'service_code': 'NO_SUCH' is not a service"),
])
def test_spend_key_and_service_are_checked_in_the_files_transaction(wh, fixtures, change,
                                                                     expected):
    """check_keys refuses a line twice or an unknown service code, naming file, line and
    column, and the file's transaction leaves every table as it was."""
    before = table_state(wh)
    parse = SPEND.parse

    def broken(path, quarantine, con):
        out = parse(path, quarantine, con)
        rows = out["spend"]
        if change == "line":
            lines = rows.column("line_no").to_numpy().copy()
            lines[-1] = lines[0]
            rows = rows.set_column(1, "line_no", arrow.array(lines, arrow.int32()))
        else:
            codes = rows.column("service_code").to_pylist()
            codes[-1] = "NO_SUCH"
            rows = rows.set_column(rows.column_names.index("service_code"), "service_code",
                                   arrow.array(codes, arrow.string()))
        out["spend"] = rows
        return out

    with pytest.raises(LoadError, match=r"spend_messy\.csv: line \d+: " + expected):
        load_file(wh, dataclasses.replace(SPEND, parse=broken), fixtures / "spend_messy.csv")
    assert table_state(wh) == before
