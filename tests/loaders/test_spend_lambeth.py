"""The real Lambeth spend-over-£500 file (June 2012): 9 preamble lines, a junk footer, and
639 of its 3,155 rows lost the comma between date and amount ('25/06/2012900')."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from tests.loaders.conftest import new_warehouse, real
from warehouse import load
from warehouse.loaders import LOADERS, load_file

LAMBETH = "lambeth_payments_over_500_2012-06.csv"
DATA_ROWS = 3155
BAD_ROWS = 639


def _independent_reading(path: Path) -> tuple[list[int], Decimal, list[int]]:
    """Read the file with Python's csv module alone: the data lines with six cells and their
    total, and the data lines with fewer (the lost commas)."""
    text = path.read_bytes().decode("utf-8")
    good_lines, bad_lines, total = [], [], Decimal("0")
    for line_no, cells in enumerate(csv.reader(io.StringIO(text)), start=1):
        if line_no <= 10 or not cells or cells[0] != "Lambeth":
            continue  # preamble, header, blank lines and the footer
        if len(cells) == 6:
            good_lines.append(line_no)
            total += Decimal(cells[4])
        else:
            bad_lines.append(line_no)
    return good_lines, total, bad_lines


@pytest.fixture(scope="module")
def lambeth_file() -> Path:
    return real(LAMBETH)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _mapped(con) -> None:
    con.execute(
        "insert into organisation values ('LBL', 'Lambeth test council', 'council', true)")
    con.execute("insert into department values ('D', 'LBL', 'All')")
    for code, label in [("A", "Adults' and Community Services"),
                        ("C", "Children and Young People's Service"),
                        ("H", "Housing, Regeneration and Environment"),
                        ("O", "Office of the Chief Executive/Finance and Resources")]:
        con.execute("insert into service values ($c, 'D', $c, true, null, null)", {"c": code})
        con.execute("insert into spend_mapping values ($l, '', $c)", {"l": label, "c": code})


def test_the_independent_reading_sees_what_the_readme_says(lambeth_file):
    good, _, bad = _independent_reading(lambeth_file)
    assert len(good) + len(bad) == DATA_ROWS
    assert len(bad) == BAD_ROWS


def test_loaded_at_the_default_with_its_bad_rows_quarantined_and_said_first(lambeth_file):
    good_lines, total, _ = _independent_reading(lambeth_file)
    con = new_warehouse()
    _mapped(con)
    r = load_file(con, LOADERS["spend"], lambeth_file)
    assert r.status == "loaded"
    assert (r.rows_read, r.rows_loaded, r.rows_quarantined) == (DATA_ROWS, 2516, BAD_ROWS)
    assert r.notes[0].startswith("warning: 639 of 3155 rows (20.3%) failed validation")
    # their amounts are fused with their dates: not readable, so in no total, and said so
    assert r.summary["reconciliation"].rows_no_amount == BAD_ROWS
    assert ("639 quarantined row(s) have no amount that can be read: their pounds are in none "
            "of these figures") in r.notes[1]
    assert con.execute("select count(*), sum(amount_gbp) from spend").fetchall()[0] == (
        len(good_lines), total)


def test_refused_whole_under_a_5_percent_limit_the_user_sets(lambeth_file):
    con = new_warehouse()
    _mapped(con)
    r = load_file(con, LOADERS["spend"], lambeth_file, max_bad_share=0.05)
    assert r.status == "refused"
    assert (r.rows_read, r.rows_loaded, r.rows_quarantined) == (DATA_ROWS, 0, BAD_ROWS)
    assert "639 of 3155 rows (20.3%)" in r.message
    assert con.execute("select count(*) from spend").fetchall()[0][0] == 0
    assert con.execute("select count(*) from rejected_row").fetchall()[0][0] == BAD_ROWS


def test_loaded_with_quarantine_at_a_higher_share_and_every_row_accounted_for(lambeth_file):
    good_lines, total, bad_lines = _independent_reading(lambeth_file)
    con = new_warehouse()
    _mapped(con)
    r = load_file(con, LOADERS["spend"], lambeth_file, max_bad_share=0.25)
    assert r.status == "loaded"
    assert (r.rows_read, r.rows_loaded, r.rows_quarantined) == (DATA_ROWS, 2516, BAD_ROWS)
    loaded = con.execute("select line_no, amount_gbp from spend order by line_no").fetchall()
    rejected = con.execute("select line_no from rejected_row order by line_no").fetchall()
    # reconcile: every data row is either loaded or quarantined, once
    assert [r[0] for r in loaded] == good_lines
    assert [r[0] for r in rejected] == bad_lines
    assert sum(r[1] for r in loaded) == total
    assert con.execute("select count(distinct supplier_name) from spend").fetchall()[0][0] > 500


def test_quarantine_reasons_name_the_line_column_and_text(lambeth_file):
    con = new_warehouse()
    _mapped(con)
    load_file(con, LOADERS["spend"], lambeth_file, max_bad_share=0.25)
    rows = con.execute("select line_no, column_name, raw_text, reason from rejected_row "
                       "order by line_no").fetchall()
    first = rows[0]
    assert first[0] == 19 and first[1] == "Invoice Creation Date"
    assert "'25/06/2012900'" in first[3] and "UK date" in first[3]
    assert first[3].startswith("the line has 5 cells where the header has 6")
    assert first[2].endswith("25/06/2012900,PRIVATE RESIDENTIAL CARE")
    for _, column, raw, reason in rows:
        assert column == "Invoice Creation Date" or column == "Supplier Name", (raw, reason)
        assert re.search(r"the line has \d cells where the header has 6", reason)


def test_unmapped_departments_load_as_not_yet_allocated_and_reconcile(lambeth_file):
    good_lines, total, _ = _independent_reading(lambeth_file)
    con = new_warehouse()
    r = load_file(con, LOADERS["spend"], lambeth_file, max_bad_share=0.25)
    assert (r.rows_loaded, r.rows_quarantined) == (len(good_lines), BAD_ROWS)
    got = con.execute("select count(*), sum(amount_gbp), count(service_code) "
                      "from spend").fetchall()[0]
    assert got == (len(good_lines), total, 0)  # every payment in, none allocated yet
    recon = r.summary["reconciliation"]
    assert recon.unallocated == int(total * 100) and recon.allocated == 0
    assert recon.balanced and recon.rows_quarantined == BAD_ROWS
    # the labels not yet allocated, largest first, with their rows and pounds
    labels = r.summary["unallocated"]
    assert [x[3] for x in labels] == sorted((x[3] for x in labels), reverse=True)
    assert sum(x[2] for x in labels) == len(good_lines)
    assert any("not yet allocated: \"Adults' and Community Services\"" in n for n in r.notes)


def test_command_refuses_at_5_percent_and_leaves_the_file_byte_identical(lambeth_file, live,
                                                                          capsys):
    before = _sha(live)
    code = load.run("spend", [lambeth_file], target=live, max_bad_share=0.05)
    assert code == 1
    assert _sha(live) == before
    assert not list(live.parent.glob(".live.duckdb.loading-*"))
    err = capsys.readouterr().err
    assert "refused - 3155 read, 0 loaded, 639 quarantined" in err
    assert f"{LAMBETH}:19: the line has 5 cells" in err


def test_command_loads_it_as_published_rebuilds_marts_and_passes_checks(lambeth_file, live,
                                                                         capsys):
    code = load.run("spend", [lambeth_file], target=live)
    out = capsys.readouterr().out
    assert code == 0, out
    assert "loaded - 3155 read, 2516 loaded, 639 quarantined" in out
    assert "    warning: 639 of 3155 rows (20.3%) failed validation" in out
    con = duckdb.connect(str(live), read_only=True)
    try:
        n = con.execute("select count(*) from spend where source_file = $f",
                        {"f": LAMBETH}).fetchall()[0][0]
        mart = con.execute("select sum(n_payments) from mart_spend_service_year "
                           "where financial_year = '2012/13'").fetchall()[0][0]
        log = con.execute("select status, rows_quarantined from load_log where file_name = $f",
                          {"f": LAMBETH}).fetchall()
    finally:
        con.close()
    assert n == 2516
    assert mart >= 2485  # the marts were rebuilt with the new payments (plus the seed rows)
    assert log == [("loaded", BAD_ROWS)]
    # loading it again changes nothing, not even a byte
    before = _sha(live)
    assert load.run("spend", [lambeth_file], target=live) == 0
    assert _sha(live) == before
