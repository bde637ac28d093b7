"""Run every benchmark and write docs/benchmarks.md (what `make bench` calls).

Runs each benchmark in turn (never two at once: they share the 2 cores), collects the
var/bench/*.md fragments, and writes docs/benchmarks.md with the machine described and each
target of issue 8 with its measured value and whether it is met. A benchmark that fails is
reported as failed, with the end of its output; the others still run.

Run from the repository root: python -m bench.run_all [--only NAME ...] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from bench import OUT, ROOT

# (name, module, arguments, quick arguments)
BENCHMARKS = [
    ("first_reader", "bench.bench_first_reader", [], ["--views", "100"]),
    ("callbacks", "bench.bench_callbacks", [], ["--seconds", "5", "--requests", "500"]),
    ("browser", "bench.bench_browser", ["--repeats", "9"], ["--repeats", "3"]),
    ("lighthouse", "bench.bench_lighthouse", [], []),
    ("queries_10m", "bench.bench_queries_10m", [], ["--repeats", "5"]),
    ("page_queries", "bench.bench_page_queries", [], []),
    ("spillover", "bench.bench_spillover", [], []),
    ("planner", "bench.bench_planner", [], ["--moves", "20"]),
    ("load", "bench.bench_load", ["--repeat", "5"], ["--repeat", "1"]),
    ("intervals", "bench.bench_intervals", [], ["--repeat", "1"]),
    ("hostile", "bench.bench_hostile", [],
     ["--scenarios", "200", "--unbounded", "100", "--seconds", "8"]),
]
REPORT = ROOT / "docs" / "benchmarks.md"


def _cmd(args: list[str]) -> str:
    try:
        return subprocess.run(args, capture_output=True, text=True, timeout=30,  # noqa: S603
                              check=False).stdout.strip().splitlines()[0]
    except (OSError, IndexError, subprocess.SubprocessError):
        return "not found"


def machine() -> list[str]:
    cpu = "unknown"
    try:
        lines = Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines()
        cpu = next(line.split(":", 1)[1].strip() for line in lines
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = "unknown"
    try:
        lines = Path("/proc/meminfo").read_text(encoding="utf-8").splitlines()
        kb = int(next(line.split()[1] for line in lines if line.startswith("MemTotal")))
        mem = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        pass

    def v(pkg: str) -> str:
        try:
            return metadata.version(pkg)
        except metadata.PackageNotFoundError:
            return "—"

    return [
        f"- CPU: {cpu}; {os.cpu_count()} logical CPU(s) (`nproc`); memory {mem}; "
        f"{platform.system()} {platform.release()} {platform.machine()}",
        f"- Python {platform.python_version()}; dash {v('dash')}, plotly {v('plotly')}, "
        f"duckdb {v('duckdb')}, pandas {v('pandas')}, numpy {v('numpy')}, Flask {v('flask')}, "
        f"Flask-Caching {v('flask-caching')}, gunicorn {v('gunicorn')}, "
        f"playwright {v('playwright')}",
        f"- Chromium: {_cmd(['/usr/bin/chromium', '--version'])}; "
        f"node {_cmd(['node', '--version'])}; redis-server: {_cmd(['redis-server', '--version'])}",
        f"- Load average before the run: {', '.join(f'{x:.2f}' for x in os.getloadavg())}",
    ]


def _json(name: str) -> dict | None:
    path = OUT / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def _row(target: str, goal: str, value: str, met: bool | None) -> str:
    verdict = "not measured" if met is None else ("met" if met else "**not met**")
    return f"| {target} | {goal} | {value} | {verdict} |"


def targets() -> list[str]:
    rows = ["| target | goal | measured | verdict |", "|---|---|---|---|"]
    cb = _json("callbacks")
    if cb:
        levels = {r["clients"]: r for r in cb["levels"]}
        ratios = [r["ratio"] for r in cb["levels"] if r["ratio"] is not None]
        worst = min(ratios) if ratios else None
        cold = ", ".join(f"{r.get('ratio_no_page_cache')}x" for r in levels.values())
        rows.append(_row(f"throughput, `{cb['page']}` view requests vs bare app's callback",
                         ">= 0.8x",
                         ", ".join(f"{c} clients {r['ratio']}x" for c, r in levels.items())
                         + f" (without the page cache: {cold})",
                         None if worst is None else worst >= 0.8))
        if 50 in levels:
            p95 = levels[50]["dashboard"]["p95_ms"]
            cold95 = levels[50].get("no_page_cache", {}).get("p95_ms")
            bare95 = levels[50]["bare"]["p95_ms"]
            rows.append(_row("p95 at 50 clients, 2 cores", "<= 250 ms",
                             f"{p95} ms (without the page cache {cold95} ms; "
                             f"bare app {bare95} ms)", p95 <= 250))
    else:
        rows.append(_row("callback throughput and p95", "", "—", None))
    br = _json("browser")
    if br and "modes" in br:
        for mode, r in br["modes"].items():
            heaviest = max(w["wire_bytes"] for w in r["weights"].values())
            rows.append(_row(f"page weight on the wire, {mode} (heaviest of overview, area)",
                             "<= 0.9 MB",
                             ", ".join(f"{n} {w['wire_bytes'] / 1e6:.2f} MB"
                                       for n, w in r["weights"].items()), heaviest <= 0.9e6))
            fc = r["first_chart_ms"]
            live = (r.get("stages_ms") or {}).get("plotly_drawn")
            shown = "no chart drawn" if fc is None else f"{fc / 1000:.2f} s" + (
                f" (server's picture; plotly.js over it, with hover values, at "
                f"{live / 1000:.2f} s)" if live is not None and live > fc else "")
            rows.append(_row(f"time to first chart, new profile, {mode}", "<= 1.0 s", shown,
                             None if fc is None else fc <= 1000))
    lh = _json("lighthouse")
    if lh and lh.get("pages"):
        for name, presets in lh["pages"].items():
            m = presets.get("mobile", {})
            d = presets.get("desktop", {})
            if "performance" in m:
                rows.append(_row(f"Lighthouse mobile performance, {name}", ">= 0.9",
                                 f"{m['performance']} (desktop {d.get('performance', '—')})",
                                 m["performance"] >= 0.9))
                rows.append(_row(f"Lighthouse accessibility, {name}", "1.0",
                                 f"mobile {m['accessibility']}, desktop "
                                 f"{d.get('accessibility', '—')}", m["accessibility"] >= 1.0))
            else:
                rows.append(_row(f"Lighthouse, {name}", "", m.get("error", "—")[:120], None))
    else:
        rows.append(_row("Lighthouse scores", "", (lh or {}).get("error", "not run"), None))
    q = _json("queries_10m")
    if q:
        rows.append(_row("dashboard queries at 10M spend rows (slowest p95)", "<= 20 ms",
                         f"{q['worst_query']} {q['worst_p95_ms']} ms; "
                         f"{len(q['over_target'])} of {len(q['queries'])} over",
                         q["worst_p95_ms"] <= 20))
    pl = _json("planner")
    if pl:
        rows.append(_row("planner: one control move, all results redrawn (10,000 draws, "
                         "2 cores)", "<= 150 ms median, <= 300 ms p95",
                         f"median {pl['cold_median_ms']} ms, p95 {pl['cold_p95_ms']} ms "
                         f"(a scenario seen before: {pl['warm_median_ms']} ms)", pl["met"]))
    load = OUT / "load.md"
    if load.exists():
        found = re.findall(r"ratio[^0-9|]*\|?\s*\**([0-9]+\.[0-9]+)", load.read_text(),
                           flags=re.IGNORECASE)
        rows.append(_row("1M-row load ratio (loader / bare read_csv)", "<= 1.3",
                         f"{found[0]}x" if found else "see the load section",
                         float(found[0]) <= 1.3 if found else None))
    rows += hostile_rows()
    return rows


def hostile_rows() -> list[str]:
    """Issue 16's targets: slow clients, fair shares, memory after many scenarios."""
    h = _json("hostile")
    if not h:
        return [_row("slow clients, fair shares, memory (issue 16)", "", "—", None)]
    rows = []
    slow = h["slow"].get("make serve (nginx), 2 slow")
    if slow:
        rows.append(_row("2 slow-header clients: another client's answers (make serve)",
                         "all within 1 s", f"slowest {slow['max_s']} s, {slow['failed']} failed",
                         slow["within_1s"]))
    fair = h["fair"].get("1")
    if fair:
        rows.append(_row("reader's page p95 while one user's 4 connections run scenarios",
                         "reported", f"{fair['loaded_p95_ms']} ms (alone "
                         f"{fair['alone_p95_ms']} ms)", None))
    bounded = next((m for m in h["memory"] if m["cache_max_mb"] != "100000"), None)
    if bounded:
        first, last = bounded["rss_mb"][0][1], bounded["rss_mb"][-1][1]
        rows.append(_row(f"worker memory after {bounded['scenarios']} distinct scenarios",
                         f"bounded (cache {bounded['cache_max_mb']} MB)",
                         f"{first} -> {last} MB", last - first <= 1.5 * float(
                             bounded["cache_max_mb"]) + 64))
    return rows


SETTLE_LOAD, SETTLE_MAX_S = 1.0, 60


def settle() -> None:
    """Wait (at most SETTLE_MAX_S) until the 1-minute load average is under SETTLE_LOAD."""
    deadline = time.monotonic() + SETTLE_MAX_S
    while os.getloadavg()[0] > SETTLE_LOAD and time.monotonic() < deadline:
        time.sleep(2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="run only these benchmarks (names)")
    parser.add_argument("--quick", action="store_true", help="smaller bounds, for a smoke run")
    args = parser.parse_args(argv)

    OUT.mkdir(parents=True, exist_ok=True)
    header = machine()  # load average before anything of ours runs
    status = {}
    loads: dict[str, str] = {}
    for name, module, full, quick in BENCHMARKS:
        if args.only and name not in args.only:
            continue
        if not (ROOT / (module.replace(".", "/") + ".py")).exists():
            status[name] = "missing"
            continue
        settle()  # let the last benchmark's servers and browsers leave the 2 cores
        print(f"== {name}", flush=True)
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", module, *(quick if args.quick else full)],  # noqa: S603
                              cwd=ROOT, capture_output=True, text=True, timeout=1800)
        took = time.perf_counter() - start
        status[name] = ("ok" if proc.returncode == 0 else
                        f"failed ({proc.returncode}): {(proc.stderr or proc.stdout)[-600:]}")
        loads[name] = f"{took:.0f} s, load average after {os.getloadavg()[0]:.1f}"
        print(f"   {status[name][:200]} in {took:.0f} s", flush=True)

    lines = ["# Benchmarks", "",
             f"Written by `make bench` (`python -m bench.run_all`) on "
             f"{datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}"
             f"{' with --quick bounds' if args.quick else ''}. Every figure below was measured "
             "in this one run, on this machine; they are not comparable across machines.", "",
             "## Machine", "", *header,
             f"- Each benchmark starts once the 1-minute load average is under {SETTLE_LOAD} "
             f"(or after {SETTLE_MAX_S} s of waiting).",
             *(["- Each benchmark's run time and the 1-minute load average after it (above 2 "
                "means other processes competed for the 2 cores and the timings are inflated): "
                + "; ".join(f"{n} {v}" for n, v in loads.items())] if loads else []), "",
             "## Targets (issue 8)", "", *targets(), ""]
    for name, *_ in BENCHMARKS:
        fragment = OUT / f"{name}.md"
        if status.get(name, "").startswith("failed"):
            lines += [f"## {name}", "", "This benchmark failed in this run:", "", "```",
                      status[name], "```", ""]
        elif status.get(name) == "missing":
            lines += [f"## {name}", "", f"`bench/bench_{name}.py` is not in the tree yet.", ""]
        elif fragment.exists():
            text = fragment.read_text(encoding="utf-8").strip()
            if not text.startswith("#"):
                text = f"## {name}\n\n{text}"
            lines += [re.sub(r"^# ", "## ", text, flags=re.MULTILINE), ""]
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text("\n".join(lines), encoding="utf-8")
    print(f"written {REPORT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
