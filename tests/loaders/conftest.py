"""Fixtures of the loader tests: a small warehouse, the fixture files and the real files.

The real public files are read in place from ../shared/realdata beside the repository (never
copied). A test that needs one fails when the environment variable CI is set and the file is
missing, and skips otherwise.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from tests.realdata import realdata_path
from warehouse.build import SCHEMA
from warehouse.loaders import LOADERS, load_file

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
real = realdata_path  # a real public file; fails under CI when missing, skips elsewhere


def new_warehouse(path: str = ":memory:") -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(path)
    con.execute(SCHEMA.read_text(encoding="utf-8"))
    return con


def add_indicator(con: duckdb.DuckDBPyConnection, indicator_id: int, name: str = "test",
                  value_type: str = "Count", multiplier: float = 1.0) -> None:
    con.execute(
        "insert into indicator (indicator_id, indicator_name, value_type, multiplier, polarity, "
        "unit_label, source, licence) values ($id, $name, $vt, $m, 'higher is better', 'units', "
        "'test fixture', 'OGL v3')",
        {"id": indicator_id, "name": name, "vt": value_type, "m": multiplier})


def table_state(con: duckdb.DuckDBPyConnection) -> dict[str, list]:
    """Every table's rows, sorted: to show that something changed nothing."""
    names = [r[0] for r in con.execute(
        "select table_name from duckdb_tables() order by table_name").fetchall()]
    return {n: sorted(map(repr, con.execute(f'select * from "{n}"').fetchall())) for n in names}


@pytest.fixture(scope="session")
def testborough_template(tmp_path_factory) -> Path:
    """A warehouse file holding the Testborough mapping (see fixtures/), made once."""
    path = tmp_path_factory.mktemp("template") / "testborough.duckdb"
    con = new_warehouse(str(path))
    result = load_file(con, LOADERS["mapping"], FIXTURES / "mapping_testborough.yaml")
    assert result.status == "loaded", result.message
    con.execute("checkpoint")
    con.close()
    return path


@pytest.fixture
def wh(testborough_template, tmp_path) -> duckdb.DuckDBPyConnection:
    """A fresh copy of the Testborough warehouse for one test."""
    path = tmp_path / "warehouse.duckdb"
    shutil.copyfile(testborough_template, path)
    con = duckdb.connect(str(path))
    yield con
    con.close()


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def lambeth_council(tmp_path_factory) -> Path:
    """A warehouse built (by the real build, checks and all) from fixtures/lambeth_council: a
    test council whose mapping knows the four departments of Lambeth's published spend file."""
    from warehouse.build import build

    target = tmp_path_factory.mktemp("lambeth") / "council.duckdb"
    build(FIXTURES / "lambeth_council", target)
    return target


@pytest.fixture
def live(lambeth_council, tmp_path) -> Path:
    """A copy of that warehouse, as the live file a load replaces."""
    path = tmp_path / "live.duckdb"
    shutil.copyfile(lambeth_council, path)
    return path
