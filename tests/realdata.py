"""Locate the shared real public data files (../shared/realdata beside the repository).

Rule (shared/realdata/README.md): a test that needs these files and cannot find them must FAIL
when the environment variable CI is set, and may skip only otherwise. Never copy the files, or
parts of them, into the project: tests read them in place.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REALDATA_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "realdata"


def realdata_path(*parts: str) -> Path:
    """Path to a shared real-data file; fails under CI and skips elsewhere when it is absent."""
    path = REALDATA_DIR.joinpath(*parts)
    if path.exists():
        return path
    message = f"real data file not found: {path}"
    if "CI" in os.environ:
        pytest.fail(message + " (CI is set, so missing real data is a failure)")
    pytest.skip(message)
    raise AssertionError("unreachable")  # pragma: no cover
