"""The indicator-metadata loader: each indicator's comparison method (Fingertips'
BenchmarkComparisonMethod, or a plain Comparison Method column), read by compare.py's parser;
an unknown method quarantined with file, line, column and reason; none given means 95%."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.loaders.conftest import new_warehouse
from warehouse.loaders import LOADERS, load_file

BASE = ["IndicatorID", "IndicatorName", "ValueType", "Multiplier", "Polarity", "Unit", "Source",
        "Licence"]


def _write(path: Path, header: list[str], rows: list[list]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _row(iid: int, polarity: str = "Low is good", *extra) -> list:
    return [iid, f"Indicator {iid}", "Proportion", 100, polarity, "%", "test", "OGL v3", *extra]


def _methods(con) -> dict[int, tuple]:
    return {r[0]: (r[1], r[2]) for r in con.execute(
        "select indicator_id, comparison_method, comparison_level from indicator").fetchall()}


@pytest.mark.parametrize("header", ["BenchmarkComparisonMethod", "comparison_method",
                                    "Comparison Method"])
def test_every_value_form_fingertips_writes_is_read(tmp_path, header):
    con = new_warehouse()
    values = ["Confidence intervals overlapping reference value (95.0)",
              "Confidence intervals overlapping reference value (99.8)",
              "Quintiles", "No comparison", "Not compared", "",
              "  confidence intervals overlapping reference value (99.8) "]
    path = _write(tmp_path / "indicator_metadata.csv", [*BASE, header],
                  [_row(i + 1, "No judgement", v) for i, v in enumerate(values)])
    r = load_file(con, LOADERS["indicator-metadata"], path)
    assert (r.status, r.rows_loaded, r.rows_quarantined) == ("loaded", 7, 0), r.message
    assert _methods(con) == {1: ("interval", 0.95), 2: ("interval", 0.998),
                             3: ("quintiles", None), 4: ("none", None), 5: ("none", None),
                             6: ("interval", 0.95), 7: ("interval", 0.998)}


def test_the_real_metadata_header_as_published(tmp_path):
    """FingertipsNext's export: IndicatorID, Polarity, BenchmarkComparisonMethod ... (a subset
    of its columns and rows, written here as it writes them, never copied from the file)."""
    con = new_warehouse()
    header = ["IndicatorID", "Polarity", "BenchmarkComparisonMethod", "ValueType",
              "IndicatorName", "Multiplier", "Unit", "Source", "Licence"]
    rows = [[383, "No judgement", "Quintiles", "Proportion", "Dementia reported", 100, "%",
             "OHID", "OGL v3"],
            [247, "No judgement", "Confidence intervals overlapping reference value (99.8)",
             "Proportion", "Dementia prevalence (QOF)", 100, "%", "OHID", "OGL v3"]]
    path = _write(tmp_path / "indicator_metadata.csv", header, rows)
    r = load_file(con, LOADERS["indicator-metadata"], path)
    assert r.status == "loaded", r.message
    assert _methods(con) == {383: ("quintiles", None), 247: ("interval", 0.998)}


def test_no_column_means_the_documented_default_95(tmp_path):
    con = new_warehouse()
    path = _write(tmp_path / "indicator_metadata.csv", BASE, [_row(1), _row(2)])
    r = load_file(con, LOADERS["indicator-metadata"], path)
    assert (r.status, r.rows_loaded) == ("loaded", 2)
    assert _methods(con) == {1: ("interval", 0.95), 2: ("interval", 0.95)}


def test_an_unknown_method_is_quarantined_with_file_line_column_and_reason(tmp_path):
    con = new_warehouse()
    path = _write(tmp_path / "indicator_metadata.csv", [*BASE, "BenchmarkComparisonMethod"],
                  [_row(1, "Low is good", "Quintiles"), _row(2, "Low is good", "Tertiles"),
                   _row(3, "Low is good", "Confidence intervals overlapping reference value "
                                          "(90.0)")])
    r = load_file(con, LOADERS["indicator-metadata"], path, max_bad_share=0.9)
    assert (r.status, r.rows_loaded, r.rows_quarantined) == ("loaded", 1, 2)
    assert _methods(con) == {1: ("quintiles", None)}
    rejected = con.execute("select file_name, line_no, column_name, raw_text, reason "
                           "from rejected_row order by line_no").fetchall()
    assert [r[:3] for r in rejected] == [
        ("indicator_metadata.csv", 3, "BenchmarkComparisonMethod"),
        ("indicator_metadata.csv", 4, "BenchmarkComparisonMethod")]
    assert "Tertiles" in rejected[0][3] and "'Tertiles'" in rejected[0][4]
    assert "a Fingertips comparison method" in rejected[0][4]
    assert "(90.0)" in rejected[1][4]


def test_the_schema_refuses_a_method_without_its_level():
    import duckdb

    con = new_warehouse()
    with pytest.raises(duckdb.ConstraintException):
        con.execute("insert into indicator (indicator_id, indicator_name, value_type, "
                    "multiplier, polarity, unit_label, source, licence, comparison_method, "
                    "comparison_level) values (1, 'x', 'Count', 1, 'no judgement', 'u', 's', "
                    "'l', 'quintiles', 0.95)")
