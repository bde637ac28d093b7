"""Benchmarks for `make bench` (not tests): each writes var/bench/<name>.md and .json.

Shared plumbing: start and stop gunicorn on a free loopback port, and record results.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "var" / "bench"
# The dashboard's rate limit (600/min per client address) would turn a load test from
# 127.0.0.1 into a test of the limiter, so benchmarks raise it; everything else is as served.
BENCH_ENV = {"RATE_LIMIT": "10000000 per minute", "LOG_LEVEL": "warning"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(app: str, warehouse: Path, workers: int = 2, extra_env: dict | None = None):
    """gunicorn with the project's gunicorn.conf.py serving ``app`` on a free loopback port."""
    port = free_port()
    env = {**os.environ, "WAREHOUSE_PATH": str(warehouse), **BENCH_ENV, **(extra_env or {})}
    env.setdefault("DASHBOARD_MODE", "internal")
    (OUT / "logs").mkdir(parents=True, exist_ok=True)
    log = open(OUT / "logs" / f"gunicorn-{port}.log", "wb")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(  # noqa: S603 - fixed argv
        [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py"),
         "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--access-logfile", "/dev/null", app],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    proc.log = log
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited; see {log.name}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            time.sleep(0.2)
    else:
        stop(proc)
        raise RuntimeError("gunicorn did not start in 60 s")
    return proc, url


def stop(proc) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    proc.log.close()
    if Path(proc.log.name).stat().st_size == 0:
        Path(proc.log.name).unlink()


def warehouse_path() -> Path:
    return Path(os.environ.get("WAREHOUSE_PATH", ROOT / "var" / "warehouse.duckdb")).resolve()


def write(name: str, markdown: str, results: dict) -> None:
    """Write var/bench/<name>.md (a fragment for the report) and <name>.json (the figures)."""
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"{name}.md").write_text(markdown.rstrip() + "\n", encoding="utf-8")
    (OUT / f"{name}.json").write_text(json.dumps(results, indent=2, default=str) + "\n",
                                      encoding="utf-8")
