"""The build: deterministic, checked, and atomic (a failed build leaves the old file as it was)."""

from __future__ import annotations

import csv
import hashlib
import shutil

import duckdb
import pytest

from warehouse import demo
from warehouse.build import BuildError, build, run_checks
from warehouse.tools import table_checksums


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture()
def own_copy(warehouse_file, tmp_path):
    """A private copy of the session warehouse: other tests in this process hold the
    original open through the app's connection, with a configuration of their own."""
    path = tmp_path / "copy.duckdb"
    shutil.copy(warehouse_file, path)
    return path


def test_demo_build_passes_every_check(own_copy):
    con = duckdb.connect(str(own_copy), read_only=True)
    try:
        assert run_checks(con) == {}
        n_areas = con.execute("select count(*) from investment_area").fetchall()[0][0]
        years = con.execute("select count(distinct financial_year) from mart_area_year "
                            "where cost_per_outcome_gbp > 0").fetchall()[0][0]
        payers = con.execute("select count(distinct org_type) from organisation").fetchall()[0][0]
        quarantined = con.execute("select count(*) from rejected_row").fetchall()[0][0]
    finally:
        con.close()
    assert n_areas >= 6
    assert years >= 8
    assert payers >= 2  # the council and the NHS at least
    assert quarantined == 0


def test_two_builds_from_one_seed_have_identical_tables(tmp_path, own_copy):
    source = demo.generate(tmp_path / "src")
    again = build(source, tmp_path / "again.duckdb").path
    first, second = table_checksums(own_copy), table_checksums(again)
    assert first.keys() == second.keys()
    assert first == second


def test_a_different_seed_gives_different_data(tmp_path, own_copy):
    source = demo.generate(tmp_path / "src", seed=demo.SEED + 1)
    other = build(source, tmp_path / "other.duckdb").path
    assert table_checksums(other)["spend"] != table_checksums(own_copy)["spend"]


def test_missing_column_fails_and_leaves_the_old_warehouse(tmp_path, demo_source, own_copy):
    target = tmp_path / "live.duckdb"
    shutil.copy(own_copy, target)
    before = _sha(target)
    broken = tmp_path / "broken"
    shutil.copytree(demo_source, broken)
    spend_file = sorted((broken / "spend").glob("*.csv"))[0]
    with open(spend_file, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    drop = rows[0].index("Supplier Name")
    with open(spend_file, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([r[:drop] + r[drop + 1:] for r in rows])
    with pytest.raises(BuildError) as err:
        build(broken, target)
    message = str(err.value)
    assert spend_file.name in message
    assert "supplier_name" in message or "Supplier Name" in message
    assert _sha(target) == before
    assert not list(tmp_path.glob(".live.duckdb.building-*"))


def test_a_limit_on_bad_rows_the_user_sets_refuses_the_build(tmp_path, demo_source):
    broken = tmp_path / "broken"
    shutil.copytree(demo_source, broken)
    spend_file = sorted((broken / "spend").glob("*.csv"))[0]
    lines = spend_file.read_text(encoding="utf-8").splitlines()
    # break the amount on one row in ten: more than the 5% limit set below
    bad = [lines[0]] + [ln.replace(",", ",x", 7) if i % 10 == 0 else ln
                        for i, ln in enumerate(lines[1:])]
    spend_file.write_text("\n".join(bad) + "\n", encoding="utf-8")
    with pytest.raises(BuildError, match="failed validation"):
        build(broken, tmp_path / "w.duckdb", 0.05)
    assert not (tmp_path / "w.duckdb").exists()


def test_the_story_is_in_the_data(own_copy):
    """Luncheon clubs cut in 2019/20; falls admissions and home-care hours rise after it."""
    con = duckdb.connect(str(own_copy), read_only=True)
    try:
        lunch = dict(con.execute("select financial_year, spend_gbp from mart_spend_service_year "
                                 "where service_code = 'LUNCH'").fetchall())
        hours = dict(con.execute("select financial_year, units from service_activity "
                                 "where service_code = 'HOMECARE'").fetchall())
        falls = dict(con.execute(
            "select period, value from indicator_value where indicator_id = 22401 "
            "and geo_code = 'E09000999'").fetchall())
        trend = con.execute("select trend from mart_indicator_trend where indicator_id = 22401 "
                            "and geo_code = 'E09000999'").fetchall()[0][0]
    finally:
        con.close()
    assert lunch[demo.CUT_YEAR] < 0.5 * lunch["2018/19"]
    assert falls["2024/25"] > falls["2019/20"] * 1.08
    assert hours["2024/25"] > hours["2019/20"] * 1.1
    assert trend == "increasing and getting worse"


def test_indicator_mart_compares_by_each_indicators_own_method():
    import pandas as pd

    from warehouse.marts import _by_method

    frame = pd.DataFrame({
        "indicator_id": [1, 1, 2, 2, 2, 2, 2, 3],
        "period": ["2023/24"] * 8,
        "geo_code": ["A", "B", "A", "B", "C", "D", "E", "A"],
        "comparison_method": ["interval", None, *["quintiles"] * 5, "none"],
        "comparison_level": [0.998, None, *[None] * 5, None],
        "value": [12.0, 12.0, 1.0, 2.0, 3.0, 4.0, 5.0, 12.0],
        "lower95": [10.5, 10.5, *[0.0] * 5, 10.5], "upper95": [13.5, 13.5, *[9.0] * 5, 13.5],
        "lower998": [9.5, 9.5, *[0.0] * 5, 9.5], "upper998": [14.5, 14.5, *[9.0] * 5, 14.5],
        "england": [10.0] * 8,
        "polarity": ["higher is better"] * 2 + ["no judgement"] * 5 + ["higher is better"],
    })
    got = _by_method(frame, "england").tolist()
    # 99.8%: similar; no method stored: the Fingertips default 95%: better; quintiles of 5;
    # "No comparison": not compared
    assert got == ["similar", "better", "lowest", "low", "middle", "high", "highest",
                   "not compared"]
    # fewer than 5 areas to rank: no fifths
    assert set(_by_method(frame.iloc[2:6], "england")) == {"not compared"}


def test_the_demo_marts_compare_each_kind_by_its_own_method(own_copy):
    """99.8% (care-home admissions), quintiles with a polarity among the 15 boroughs with a
    value (physically active adults) and no polarity (dementia prevalence, at 99.8%)."""
    con = duckdb.connect(str(own_copy), read_only=True)
    try:
        df = con.execute(
            "select indicator_id, period, vs_england, vs_region, vs_england_95, vs_england_998, "
            "vs_region_998, comparison_method, comparison_level, polarity "
            "from mart_area_indicator").df()
        pool = con.execute(
            "select period, geo_code, value from indicator_value where indicator_id = 93014 "
            "and geo_code not in (select geo_code from geography where geo_role <> 'borough')"
        ).df()
    finally:
        con.close()
    care = df[df["indicator_id"] == 900003]
    assert (care["comparison_method"] == "interval").all()
    assert (care["comparison_level"] == 0.998).all()
    assert (care["vs_england"] == care["vs_england_998"]).all()
    assert (care["vs_region"] == care["vs_region_998"]).all()
    dementia = df[df["indicator_id"] == 247]
    assert set(dementia["polarity"]) == {"no judgement"}
    assert set(dementia["vs_england"]) <= {"higher", "similar", "lower", "not compared"}
    assert "higher" in set(dementia["vs_england"])
    active = df[df["indicator_id"] == 93014]
    assert set(active["comparison_method"]) == {"quintiles"}
    assert active["comparison_level"].isna().all()
    for r in active.itertuples():
        peers = pool[pool["period"] == r.period].set_index("geo_code")["value"]
        assert len(peers) == 15
        rank = int(peers.rank()["E09000999"])
        fifth = -(-5 * rank // 15)
        assert r.vs_england == ("worst", "worse", "middle", "better", "best")[fifth - 1]
        assert r.vs_region == r.vs_england
