"""A users file for sign-in tests: a director of adult social care and a cabinet member."""

from __future__ import annotations

from pathlib import Path


def write_users_file(path: Path) -> Path:
    path.write_text(
        "users:\n"
        "  - name: dora\n    role: director\n    departments: [ASC]\n"
        "  - name: cath\n    role: cabinet\n",
        encoding="utf-8")
    return path
