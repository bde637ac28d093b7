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


def test_views_are_pure_of_web_frameworks():
    """The shared core returns frames, figures and sentences: both front ends call it."""
    for path in (ROOT / "dashboard" / "views").rglob("*.py"):
        bad = _imports(path) & {"dash", "dash_bootstrap_components", "flask", "markupsafe"}
        assert not bad, f"{path.name} imports {bad}"


def test_dashboard_modules_are_short():
    for path in (ROOT / "dashboard").rglob("*.py"):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        assert lines <= 500, f"{path.relative_to(ROOT)}: {lines} lines (split it)"


def test_no_private_dash_internals_and_no_python_drawn_svg():
    private = re.compile(r"\._(namespace|type|traverse|prop_names|children_props)\b"
                         r"|dash\._|from dash\._")
    for path in (ROOT / "dashboard").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not private.search(text), f"{path.name} reads Dash's private internals"
        assert "<svg" not in text and "<polyline" not in text, f"{path.name} writes SVG"


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
