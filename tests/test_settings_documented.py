"""Every environment variable the code reads is documented in the README's settings table."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PATTERN = re.compile(r"environ(?:\.get)?\(\s*\"([A-Z_]{3,})\"|environ\[\"([A-Z_]{3,})\"\]")


def test_every_setting_is_documented():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    used = set()
    for folder in ("dashboard", "queries", "warehouse", "drafts", "indicators", "deploy"):
        for path in (ROOT / folder).rglob("*.py"):
            for a, b in PATTERN.findall(path.read_text(encoding="utf-8")):
                used.add(a or b)
    used |= {a or b for a, b in PATTERN.findall(
        (ROOT / "gunicorn.conf.py").read_text(encoding="utf-8"))}
    assert used, "found no settings: the pattern is wrong"
    missing = sorted(name for name in used if f"`{name}`" not in readme)
    assert missing == [], f"settings not in README.md: {missing}"
