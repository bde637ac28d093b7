"""Benchmark: Lighthouse performance and accessibility scores, mobile and desktop (not a test).

Installs npm ``lighthouse`` (LIGHTHOUSE_VERSION, the newest line that runs on node 20) into
var/node/ (git-ignored) when missing, then runs it with CHROME_PATH=/usr/bin/chromium
(Debian's Chromium) headless against gunicorn on 127.0.0.1 for the public site's overview, an
area page and the spill-over page, and the staff dashboard's planner and director view. Mobile
uses Lighthouse's default simulated throttling (slow 4G, 4x CPU);
desktop uses ``--preset=desktop``. If Lighthouse cannot run, the reason is recorded.

Run from the repository root: python -m bench.bench_lighthouse
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from bench import ROOT, start_gunicorn, stop, warehouse_path, write

LIGHTHOUSE_VERSION = "12.8.2"  # 13.x needs node >= 22.19; the machine has node 20
NODE_DIR = ROOT / "var" / "node"
BIN = NODE_DIR / "node_modules" / ".bin" / "lighthouse"
# name -> (path, DASHBOARD_MODE, presets): the public site (Flask and Jinja2 pages) is what
# readers of the published data get, on phones above all; staff use the internal mode's Dash
# dashboard at their desks (a published scenario opened from its URL, with its charts)
PAGES = {"overview": ("/", "public", ("mobile", "desktop")),
         "area": ("/area/OLDER", "public", ("mobile", "desktop")),
         "spill-over": ("/spillover", "public", ("mobile", "desktop")),
         "planner (staff)": ("/staff/scenarios?scenario=close-luncheon-clubs", "internal",
                             ("desktop",)),
         "director (staff)": ("/staff/director", "internal", ("desktop",))}
CHROME = "/usr/bin/chromium"


def install() -> None:
    if BIN.exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is not installed")
    NODE_DIR.mkdir(parents=True, exist_ok=True)
    subprocess.run([npm, "install", "--no-audit", "--no-fund", "--prefix", str(NODE_DIR),  # noqa: S603
                    f"lighthouse@{LIGHTHOUSE_VERSION}"], check=True, timeout=600,
                   capture_output=True)


def page_exists(url: str, path: str) -> bool:
    """Whether ``path`` is a page rather than the 404 page."""
    import requests

    return requests.get(url + path, timeout=60).status_code != 404


def run(url: str, preset: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="lh-") as tmp:
        out = Path(tmp) / "report.json"
        cmd = [str(BIN), url, "--output=json", f"--output-path={out}", "--quiet",
               "--only-categories=performance,accessibility",
               "--chrome-flags=--headless=new --no-sandbox --disable-gpu"]
        if preset == "desktop":
            cmd.append("--preset=desktop")
        env = {**os.environ, "CHROME_PATH": CHROME}
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True,  # noqa: S603
                              timeout=240)
        if not out.exists():
            raise RuntimeError(f"lighthouse failed ({proc.returncode}): "
                               f"{(proc.stderr or proc.stdout)[-400:]}")
        report = json.loads(out.read_text())
    cats = report["categories"]
    audits = report["audits"]
    if report.get("runtimeError") or cats["performance"]["score"] is None:
        raise RuntimeError("lighthouse could not measure the page: "
                           + str(report.get("runtimeError", {}).get("message", "no score")))

    def ms(audit: str) -> int | None:
        value = audits.get(audit, {}).get("numericValue")
        return None if value is None else round(value)

    failed_a11y = [a["id"] for a in (audits.get(ref["id"], {}) for ref in
                                     cats["accessibility"]["auditRefs"])
                   if a.get("score") == 0]
    return {"performance": cats["performance"]["score"],
            "accessibility": cats["accessibility"]["score"],
            "fcp_ms": ms("first-contentful-paint"), "lcp_ms": ms("largest-contentful-paint"),
            "tbt_ms": ms("total-blocking-time"), "failed_accessibility_audits": failed_a11y}


def run_twice(url: str, preset: str) -> dict:
    """One Lighthouse run; a second only when the first could not record the page (Lighthouse
    sometimes loses its trace on a busy machine). A score is never re-run to pick a better one;
    a retried result says so."""
    try:
        return run(url, preset)
    except (RuntimeError, subprocess.SubprocessError) as first:
        try:
            return {**run(url, preset), "retried_after": str(first)[:200]}
        except (RuntimeError, subprocess.SubprocessError) as err:
            return {"error": str(err)}


def main(argv: list[str] | None = None) -> int:
    results: dict = {"version": LIGHTHOUSE_VERSION, "pages": {}}
    try:
        install()
    except (RuntimeError, subprocess.SubprocessError) as err:
        md = f"## Lighthouse\n\nNot run: could not install lighthouse@{LIGHTHOUSE_VERSION}: {err}"
        write("lighthouse", md, {"error": str(err)})
        print(md)
        return 0
    missing = []
    for mode in ("public", "internal"):
        proc, url = start_gunicorn("dashboard.app:server", warehouse_path(),
                                   extra_env={"DASHBOARD_MODE": mode})
        try:
            for name, (path, page_mode, presets) in PAGES.items():
                if page_mode != mode:
                    continue
                if not page_exists(url, path):
                    missing.append(path)
                for preset in presets:
                    results["pages"].setdefault(name, {})[preset] = run_twice(url + path, preset)
        finally:
            stop(proc)

    lines = ["## Lighthouse", "",
             f"Lighthouse {LIGHTHOUSE_VERSION} (npm, node 20) with Debian's Chromium headless, "
             "against gunicorn on 127.0.0.1. Mobile: default simulated slow-4G and 4x CPU "
             "throttling; desktop: `--preset=desktop`. Scores 0–1. Overview, area and spill-over "
             "are the public site (`DASHBOARD_MODE=public`: Flask and Jinja2 pages); the planner "
             "and director view are the staff dashboard (Dash, internal mode, under /staff/), "
             "measured on the desktop preset.", "",
             "| page | preset | performance | accessibility | FCP ms | LCP ms | TBT ms "
             "| failed accessibility audits |", "|---|---|---:|---:|---:|---:|---:|---|"]
    for name, presets in results["pages"].items():
        for preset, r in presets.items():
            if "error" in r:
                lines.append(f"| {name} `{PAGES[name][0]}` | {preset} | error: {r['error']} "
                             "| | | | | |")
                continue
            retried = " (second try: the first did not record)" if "retried_after" in r else ""
            lines.append(f"| {name} `{PAGES[name][0]}` | {preset}{retried} | {r['performance']} | "
                         f"{r['accessibility']} | {r['fcp_ms']} | {r['lcp_ms']} | {r['tbt_ms']} "
                         f"| {', '.join(r['failed_accessibility_audits']) or '—'} |")
    if missing:
        lines += ["", f"Not in the app yet, so measured as its 404 page: {', '.join(missing)}."]
    md = "\n".join(lines)
    print(md)
    write("lighthouse", md, results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
