"""The outturn kind: MHCLG Revenue Outturn (RS) as a long CSV and as the published workbook."""

from __future__ import annotations

from types import SimpleNamespace

import openpyxl
import pytest

from tests.loaders.conftest import new_warehouse, real
from warehouse.loaders import LOADERS, LoadError, load_file
from warehouse.loaders.outturn import make_loader, service_line

LONG = "mhclg_rs_revenue_outturn_by_la_service_2010-11_to_2017-18.csv"
WORKBOOK = "RS_2017-18_data_by_LA.xlsx"


def _rows(con, where: str = "true") -> list[tuple]:
    return con.execute(
        "select e_code, ons_code, financial_year, service_line, net_current_expenditure_gbp, "
        f"line_no from outturn where {where} order by line_no").fetchall()  # noqa: S608


def test_small_long_file(fixtures):
    con = new_warehouse()
    r = load_file(con, LOADERS["outturn"], fixtures / "outturn_long_small.csv",
                  max_bad_share=0.25)
    assert (r.status, r.rows_read, r.rows_loaded, r.rows_quarantined) == ("loaded", 9, 7, 2)
    rows = _rows(con)
    assert rows[0] == ("E5099", "E09000998", "2013/14", "Education services", 1_000_000.0, 2)
    assert rows[1][4] == 2_500_000.0  # '2,500' (£ thousand)
    assert rows[2][3] == "TOTAL SERVICE EXPENDITURE"
    by_line = {r[5]: r for r in rows}
    assert by_line[7][4] == 2_600_000.0  # the first good row of a key loads
    assert by_line[8][4] == -100_000.0  # '(100)'
    assert by_line[9][2] == "2014/15"  # '2014/2015'
    rejected = dict(con.execute("select line_no, reason from rejected_row").fetchall())
    assert set(rejected) == {6, 10}
    assert "'..'" in rejected[6] and "a number" in rejected[6]
    assert "'14-15'" in rejected[10] and "financial year" in rejected[10]


def test_pick_one_authority_by_ons_code(fixtures):
    con = new_warehouse()
    r = load_file(con, make_loader("E09000998"), fixtures / "outturn_long_small.csv",
                  max_bad_share=0.2)
    assert (r.rows_read, r.rows_loaded, r.rows_quarantined) == (7, 6, 1)
    assert {row[0] for row in _rows(con)} == {"E5099"}


def test_an_authority_not_in_the_file_is_an_error(fixtures):
    with pytest.raises(LoadError, match="no rows for authority E09000001"):
        load_file(new_warehouse(), make_loader("E09000001"), fixtures / "outturn_long_small.csv")


def test_service_line_spellings():
    assert service_line("TOTAL SERVICE EXPENDITURE (TOTAL OF LINES 190 TO 698)") == \
        "TOTAL SERVICE EXPENDITURE"
    assert service_line("  Adult   Social Care ") == "Adult Social Care"


@pytest.fixture(scope="module")
def outturn_db() -> SimpleNamespace:
    """Both real files loaded once: the long CSV (all authorities), then the workbook."""
    con = new_warehouse()
    long = load_file(con, LOADERS["outturn"], real(LONG))
    book = load_file(con, LOADERS["outturn"], real(WORKBOOK))
    return SimpleNamespace(execute=con.execute, long=long, book=book)


def test_real_long_file_loads_every_authority(outturn_db):
    r = outturn_db.long
    assert r.status == "loaded" and r.rows_read == 38270
    # only the Isles of Scilly's 2016-17 lines ('…', no return) are refused
    assert r.rows_quarantined == 23
    reasons = outturn_db.execute(
        "select distinct reason from rejected_row where file_name = $f", {"f": LONG}).fetchall()
    assert all("'…'" in x[0] for x in reasons)


def test_real_camden_by_e_code_and_ons_code_filled_for_early_years(outturn_db):
    camden = _rows(outturn_db, "e_code = 'E5011' and financial_year = '2010/11'")
    assert len(camden) == 12
    assert {r[1] for r in camden} == {"E09000007"}  # blank in the file before 2014-15
    edu = [r for r in camden if r[3] == "Education services"][0]
    assert edu[4] == 228_538_000.0


def test_real_workbook_matches_the_long_file_for_2017_18(outturn_db):
    r = outturn_db.book
    assert r.status == "loaded" and r.rows_read == 445
    assert r.rows_quarantined == 1  # Copeland: '…' in every service line
    book = dict(outturn_db.execute(
        "select service_line, net_current_expenditure_gbp from outturn where e_code = 'E5011' "
        "and financial_year = '2017/18' and source_file = $f", {"f": WORKBOOK}).fetchall())
    assert book["Education services"] == 228_079_000.0
    assert book["Adult Social Care"] == 80_430_000.0
    assert book["TOTAL SERVICE EXPENDITURE"] == 451_940_000.0
    lines = dict(outturn_db.execute(
        "select service_line, rs_line from outturn where e_code = 'E5011' "
        "and financial_year = '2017/18'").fetchall())
    assert lines["Adult Social Care"] == 360 and lines["TOTAL SERVICE EXPENDITURE"] == 699
    # the workbook replaced the long file's 2017-18 rows key by key; no key is doubled
    dup = outturn_db.execute("select count(*) from (select e_code, financial_year, service_line "
                             "from outturn group by all having count(*) > 1)").fetchall()
    assert dup[0][0] == 0


def _small_workbook(path):
    """A workbook laid out like the published RS one (title, line numbers, header, notes)."""
    wb = openpyxl.Workbook()
    wb.active.title = "Front Page"
    ws = wb.create_sheet("RS LA Data 2019-20")
    ws.append(["Revenue Outturn (RO) 2019-20: Revenue Outturn Summary (RS) data"])
    ws.append(["Net current expenditure (£ thousand)"])
    ws.append([None, None, None, None, None, "Service Expenditure", None, None, "Housing"])
    ws.append([None, None, None, None, None, 190, 360, 699, 711])
    ws.append(["E-code", "ONS Code", "Local authority", None, "Class", "Education services",
               "Adult Social Care", "TOTAL SERVICE EXPENDITURE (total of lines 190 to 698)",
               "Housing benefits: rent allowances"])
    ws.append(["E5099", "E09000998", "Testborough", None, "L", 1000, 2000.5, 3000.5, 77])
    ws.append(["E5098", "E09000997", "Otherborough", None, "L", 900, "…", 900, 5])
    ws.append([None, None, "ENGLAND", None, None, 1900, 2000.5, 3900.5, 82])
    ws.append(["Source: a note in the first column", None, None, None, None, 1, 2, 3, 4])
    wb.save(path)


def test_small_workbook(tmp_path):
    path = tmp_path / "rs_2019-20.xlsx"
    _small_workbook(path)
    con = new_warehouse()
    r = load_file(con, LOADERS["outturn"], path, max_bad_share=0.5)
    assert (r.rows_read, r.rows_loaded, r.rows_quarantined) == (2, 1, 1)
    rows = con.execute("select e_code, financial_year, rs_line, service_line, "
                       "net_current_expenditure_gbp, line_no from outturn "
                       "order by rs_line").fetchall()
    assert rows == [("E5099", "2019/20", 190, "Education services", 1_000_000.0, 6),
                    ("E5099", "2019/20", 360, "Adult Social Care", 2_000_500.0, 6),
                    ("E5099", "2019/20", 699, "TOTAL SERVICE EXPENDITURE", 3_000_500.0, 6)]
    line, reason = con.execute("select line_no, reason from rejected_row").fetchall()[0]
    assert line == 7 and "cell G7" in reason


def test_small_workbook_for_one_authority(tmp_path):
    path = tmp_path / "rs_2019-20.xlsx"
    _small_workbook(path)
    con = new_warehouse()
    r = load_file(con, make_loader("E5099"), path)
    assert (r.rows_read, r.rows_loaded, r.rows_quarantined) == (1, 1, 0)


def test_old_xls_is_refused_with_advice(tmp_path):
    path = tmp_path / "rs.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0 not really")
    with pytest.raises(LoadError, match="save it as .xlsx or CSV"):
        load_file(new_warehouse(), LOADERS["outturn"], path)
