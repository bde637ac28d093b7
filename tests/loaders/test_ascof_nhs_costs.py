"""The ascof and unit-costs kinds: Oflog/NHS England ASC measures, the National Cost Collection."""

from __future__ import annotations

import pytest

from tests.loaders.conftest import new_warehouse, real
from warehouse.loaders import LOADERS, LoadError, load_file
from warehouse.loaders.nhs_costs import year_from_name

OFLOG = "oflog_ASC_data.csv"
NCC = ("unit_costs", "nhs_national_cost_collection_2023-24.csv")


def test_real_oflog_file():
    con = new_warehouse()
    r = load_file(con, LOADERS["ascof"], real(OFLOG))
    assert (r.status, r.rows_read, r.rows_loaded, r.rows_quarantined) == ("loaded", 6376, 6376,
                                                                          0)
    camden = con.execute("select measure_code, financial_year, value, comparator_median, "
                         "polarity from ascof_value where geo_code = 'E09000007' "
                         "order by measure_code, financial_year").fetchall()
    assert len(camden) == 42
    assert camden[0] == ("ASC1", "2016/17", 7.5, 7.6, "higher is better")
    blank = [row for row in camden if row[0] == "ASC7" and row[1] == "2016/17"][0]
    assert blank[2] is None and blank[3] == pytest.approx(26.33508681158525)
    assert con.execute("select count(*) from ascof_value where value is null").fetchall()[0][0] \
        == 298


def test_nhs_england_long_form_folds_numerator_and_denominator(fixtures):
    con = new_warehouse()
    r = load_file(con, LOADERS["ascof"], fixtures / "ascof_nhse_small.csv", max_bad_share=0.25)
    assert (r.rows_read, r.rows_quarantined) == (9, 2)
    rows = con.execute("select measure_code, breakdown, value, numerator, denominator "
                       "from ascof_value order by measure_code, breakdown").fetchall()
    assert rows == [("1A", "All", None, None, None),
                    ("2A", "18-64", 15.2, 20.0, 131579.0),
                    ("2A", "65+", 560.4, 150.0, 26767.0)]
    rejected = dict(con.execute("select line_no, reason from rejected_row").fetchall())
    assert "'seventy'" in rejected[9]
    assert "'E0900099'" in rejected[10] and "ONS code" in rejected[10]


def test_too_many_bad_ascof_rows_refuse_the_file_under_a_limit_the_user_sets(fixtures):
    con = new_warehouse()
    r = load_file(con, LOADERS["ascof"], fixtures / "ascof_nhse_small.csv", max_bad_share=0.05)
    assert r.status == "refused"
    assert con.execute("select count(*) from ascof_value").fetchall()[0][0] == 0


def test_real_national_cost_collection_through_the_unit_costs_kind():
    con = new_warehouse()
    r = load_file(con, LOADERS["unit-costs"], real(*NCC))
    assert (r.kind, r.status, r.rows_read, r.rows_loaded) == ("unit-costs", "loaded", 11303,
                                                              11303)
    row = con.execute("select collection_year, currency_desc, activity, unit_cost_gbp "
                      "from nhs_unit_cost where service = 'Ambulance' and currency_code = '03'"
                      ).fetchall()
    assert row == [("2023/24", "See & Convey", 4858582.0, 458.7311)]
    assert con.execute("select count(*) from unit_cost").fetchall()[0][0] == 0


def test_small_cost_collection_quarantines_a_repeat_and_a_bad_cost(fixtures):
    con = new_warehouse()
    r = load_file(con, LOADERS["unit-costs"], fixtures / "ncc_small_2023-24.csv",
                  max_bad_share=0.5)
    assert (r.rows_read, r.rows_loaded, r.rows_quarantined) == (6, 4, 2)
    got = con.execute("select service, currency_code, activity, unit_cost_gbp, total_cost_gbp "
                      "from nhs_unit_cost order by line_no").fetchall()
    assert got[0] == ("Emergency Medicine", "VB09Z", 1000.0, 180.25, 180250.0)
    assert got[3] == ("Outpatient", "WF01A", None, 95.1, None)
    rejected = dict(con.execute("select line_no, reason from rejected_row").fetchall())
    assert "an earlier line has the same" in rejected[6]
    assert "'n/a'" in rejected[7] and "unit cost" in rejected[7].lower()


def test_simple_unit_costs_still_go_to_the_model_table(wh, fixtures):
    r = load_file(wh, LOADERS["unit-costs"], fixtures / "unit_costs_simple.csv")
    assert (r.status, r.rows_loaded) == ("loaded", 2)
    rows = wh.execute("select cost_item, unit_cost_gbp, price_year from unit_cost "
                      "order by cost_item").fetchall()
    assert rows == [("FALL_ADMIT", 5400.0, "2024/25"), ("HOMECARE_HOUR", 32.5, "2024/25")]


def test_cost_collection_year_comes_from_the_name_or_is_asked_for(tmp_path, fixtures):
    assert year_from_name("nhs_national_cost_collection_2023-24.csv") == "2023/24"
    assert year_from_name("NCC 2021_22 schedule.csv") == "2021/22"
    assert year_from_name("costs.csv") is None
    nameless = tmp_path / "costs.csv"
    nameless.write_bytes((fixtures / "ncc_small_2023-24.csv").read_bytes())
    with pytest.raises(LoadError, match="no 'Year' column"):
        load_file(new_warehouse(), LOADERS["nhs-costs"], nameless)
