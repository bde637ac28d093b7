"""Run a snippet against the app in public mode, in a fresh process (the mode is read once)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_public(code: str, warehouse_file: Path, drafts: Path) -> dict:
    """The JSON the snippet prints last, run with DASHBOARD_MODE=public on ``warehouse_file``."""
    env = {**os.environ, "DASHBOARD_MODE": "public", "WAREHOUSE_PATH": str(warehouse_file),
           "DRAFTS_PATH": str(drafts)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         cwd=ROOT, timeout=120, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])
