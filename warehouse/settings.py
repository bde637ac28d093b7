"""Warehouse settings, each read from one environment variable with a default."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SETTINGS = {
    "WAREHOUSE_PATH": ("var/warehouse.duckdb",
                       "DuckDB file the dashboard reads and build replaces"),
    "DEMO_SOURCE_DIR": ("var/demo-source", "where the demo generator writes its source files"),
    "MAX_BAD_SHARE": ("1", "share of bad rows above which a file is refused whole (1: never; "
                      "bad rows are quarantined and the good rows load)"),
}


def _get(name: str) -> str:
    return os.environ.get(name, SETTINGS[name][0])


def _path(name: str) -> Path:
    p = Path(_get(name))
    return p if p.is_absolute() else ROOT / p


def warehouse_path() -> Path:
    return _path("WAREHOUSE_PATH")


def demo_source_dir() -> Path:
    return _path("DEMO_SOURCE_DIR")


def max_bad_share() -> float:
    return float(_get("MAX_BAD_SHARE"))
