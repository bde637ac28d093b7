"""A web worker's DuckDB connection can read the warehouse and do nothing else."""

from __future__ import annotations

import duckdb
import pytest

from queries import runner


@pytest.fixture()
def con(warehouse_file):
    return runner.warehouse(warehouse_file).connection().cursor()


@pytest.mark.parametrize("sql", [
    "insert into investment_area values ('X', 'x', 'x', 99)",
    "delete from spend",
    "create table evil (a int)",
    "select * from read_csv('/etc/passwd')",
    "copy investment_area to '/tmp/leak.csv'",
    "set memory_limit = '100GB'",
    "set enable_external_access = true",
    "install httpfs",
    "load httpfs",
    "attach '/tmp/other.duckdb' as other",
])
def test_worker_connection_refuses(con, sql):
    with pytest.raises(duckdb.Error):
        con.execute(sql).fetchall()


def test_worker_connection_reads(con):
    assert con.execute("select count(*) from investment_area").fetchall()[0][0] >= 6


def test_unknown_query_and_wrong_params_are_refused(warehouse_file):
    w = runner.warehouse(warehouse_file)
    with pytest.raises(runner.QueryError):
        w.run("drop_everything")
    with pytest.raises(runner.QueryError):
        w.run("area_years")  # missing $area_code
    with pytest.raises(runner.QueryError):
        w.run("area_years", area_code="OLDER", extra="x")


def test_parameters_are_bound_not_formatted(warehouse_file):
    w = runner.warehouse(warehouse_file)
    out = w.run("area_years", area_code="OLDER' or '1'='1")
    assert out.empty


def test_a_query_past_its_time_limit_is_interrupted(warehouse_file, monkeypatch):
    w = runner.warehouse(warehouse_file)
    monkeypatch.setitem(runner.QUERIES, "slow", runner.Query(
        "slow", "select count(*) from range(10000000000) as a(i) where i % 7 = 3",
        frozenset(), "one row"))
    monkeypatch.setattr(runner, "QUERY_TIMEOUT_S", 0.3)
    with pytest.raises(runner.QueryError, match="took longer"):
        w.run("slow")
