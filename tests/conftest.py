"""Shared fixtures: a demo warehouse built once per session, a gunicorn server, a browser.

The warehouse is built by the real generator and the real build into a temporary folder.
The server is gunicorn serving ``dashboard.app:server`` on a free loopback port. The browser
is Debian's Chromium driven by Playwright (no browser download).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")


@pytest.fixture(scope="session")
def demo_source(tmp_path_factory) -> Path:
    from warehouse import demo

    return demo.generate(tmp_path_factory.mktemp("demo-source"))


@pytest.fixture(scope="session")
def warehouse_file(demo_source, tmp_path_factory) -> Path:
    from warehouse.build import build

    target = tmp_path_factory.mktemp("warehouse") / "warehouse.duckdb"
    build(demo_source, target)
    return target


@pytest.fixture(scope="session")
def app_env(warehouse_file):
    """Point the in-process app at the session's warehouse."""
    old = os.environ.get("WAREHOUSE_PATH")
    os.environ["WAREHOUSE_PATH"] = str(warehouse_file)
    yield warehouse_file
    if old is None:
        os.environ.pop("WAREHOUSE_PATH", None)
    else:
        os.environ["WAREHOUSE_PATH"] = old


@pytest.fixture(scope="session")
def app(app_env):
    """The internal app (the site, and the staff dashboard under /staff/) on the session's
    warehouse."""
    from dashboard.factory import create_app
    from dashboard.settings import Settings

    return create_app(Settings.from_env(warehouse_path=str(app_env), mode="internal"))


@pytest.fixture(scope="session")
def public_app(app_env):
    """The public site on the same warehouse, built in the same process."""
    from dashboard.factory import create_app
    from dashboard.settings import Settings

    return create_app(Settings.from_env(warehouse_path=str(app_env), mode="public"))


@pytest.fixture()
def client(app):
    return app.test_client()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(warehouse: Path, mode: str = "internal", extra_env: dict | None = None):
    port = _free_port()
    env = {**os.environ, "WAREHOUSE_PATH": str(warehouse), "DASHBOARD_MODE": mode,
           **(extra_env or {})}
    # the server's log goes to a file: a pipe nobody reads fills up and stalls the server
    log = tempfile.NamedTemporaryFile(prefix="gunicorn-", suffix=".log", delete=False)  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py"),
         "--bind", f"127.0.0.1:{port}", "--workers", "1", "dashboard.app:server"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    proc.log_path = log.name
    log.close()
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            out = Path(proc.log_path).read_text(errors="replace")
            raise RuntimeError(f"gunicorn exited: {out[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        raise RuntimeError("gunicorn did not start in 60 s")
    return proc, url


def stop(proc) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    Path(proc.log_path).unlink(missing_ok=True)


@pytest.fixture(scope="session")
def live_server(warehouse_file):
    proc, url = start_gunicorn(warehouse_file)
    yield url
    stop(proc)


def chromium_path() -> str:
    for candidate in CHROMIUM_CANDIDATES:
        if Path(candidate).exists():
            return candidate
    found = shutil.which("chromium")
    if found:
        return found
    pytest.fail("Debian's chromium is not installed: `make test` installs it (apt-get install "
                "chromium chromium-driver)")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=chromium_path(), headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"],
        )
        yield b
        b.close()


@pytest.fixture()
def page(browser):
    """A fresh browser context (a new profile) per test; console errors are collected."""
    context = browser.new_context(accept_downloads=True)
    pg = context.new_page()
    pg.console_errors = []
    pg.on("console", lambda m: pg.console_errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: pg.console_errors.append(str(e)))
    yield pg
    context.close()


@pytest.fixture(scope="session")
def wh(warehouse_file):
    """Read the session warehouse in tests through the app's own read-only connection
    (DuckDB refuses a second connection to one file with another configuration)."""
    from queries import runner

    w = runner.warehouse(warehouse_file)

    def read(sql: str, params: dict | None = None):
        cur = w.connection().cursor()
        try:
            return cur.execute(sql, params or {}).df()
        finally:
            cur.close()

    return read
