"""Imports go one way; SQL lives in queries/ and warehouse/, never in dashboard/."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_indicators_are_pure():
    for path in (ROOT / "indicators").rglob("*.py"):
        bad = _imports(path) & {"dash", "duckdb", "flask", "queries", "warehouse", "dashboard"}
        assert not bad, f"{path.name} imports {bad}"


def test_queries_and_warehouse_do_not_import_the_dashboard():
    for folder in ("queries", "warehouse"):
        for path in (ROOT / folder).rglob("*.py"):
            assert "dashboard" not in _imports(path), path


def test_dashboard_does_not_import_duckdb_or_the_writer():
    for path in (ROOT / "dashboard").rglob("*.py"):
        bad = _imports(path) & {"duckdb", "warehouse"}
        assert not bad, f"{path.name} imports {bad}"


SQL = re.compile(r"\b(select\s.+\sfrom|insert\s+into|delete\s+from|update\s+\w+\s+set)\b",
                 re.IGNORECASE)


def test_dashboard_builds_no_sql():
    for path in (ROOT / "dashboard").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert not SQL.search(node.value), f"{path.name}: SQL in a string: {node.value!r}"


def test_no_plotly_express_in_the_dashboard():
    for path in (ROOT / "dashboard").rglob("*.py"):
        assert "plotly.express" not in path.read_text(encoding="utf-8"), path


def test_every_query_file_states_grain_and_params():
    for path in (ROOT / "queries" / "sql").glob("*.sql"):
        text = path.read_text(encoding="utf-8")
        assert re.search(r"^-- one row", text, re.M), f"{path.name}: no grain line"
        assert re.search(r"^-- params:", text, re.M), f"{path.name}: no params line"


def test_every_table_states_its_grain():
    text = (ROOT / "warehouse" / "schema.sql").read_text(encoding="utf-8")
    for match in re.finditer(r"create table (\w+)", text):
        before = text[: match.start()].rstrip().splitlines()[-1]
        assert before.startswith("-- one row"), f"{match.group(1)}: no grain comment"
