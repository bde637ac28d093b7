"""Holding under attack (issue 16): slow clients, one user's many connections, and memory after
thousands of distinct scenarios. A benchmark, not a test: it writes var/bench/hostile.md/.json.

1. Slow clients. N connections each send one header line every 5 s and never finish their
   request, while another client asks for ``/api/v1/datasets`` every half second (10 s
   timeout). Against ``make run``'s gunicorn (2 sync workers, exposed directly) and against
   ``make serve``'s stack (nginx in front of 2 gunicorn instances). Every worker answers once
   first (a worker's first request sets it up). Reported: the other client's slowest and
   95th-percentile answer, and how many never came.
2. Fair shares. On the stack, one user's 4 connections ask for new scenarios (each one
   distinct, so each a fresh 10,000-draw model run) as fast as they are answered, while
   another reader opens a page (``/area/OLDER``) 40 times in a row. Reported: the reader's
   page times alone and under that load, with the per-user simulation limit
   (``SIM_PER_USER=1``) and with it raised to 4 (no limit for 4 connections).
3. Memory. One gunicorn worker runs 2,000 distinct scenarios (``/download/scenario.csv``,
   one after another) with the cache bounded in bytes (``CACHE_MAX_MB``, default 128 MB),
   and 400 with the bound lifted; the worker's resident memory is read from /proc.

With ``AUTH_MODE=none`` every request is the same demo user, so in part 2 the reader's page
views are that user's too; pages are not simulations, so the limit does not touch them.

Usage: python -m bench.bench_hostile [--scenarios 2000] [--unbounded 400] [--seconds 20]
"""

from __future__ import annotations

import argparse
import contextlib
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path

import requests

from bench import BENCH_ENV, start_gunicorn, stop, warehouse_path, write
from deploy import serve

PROBE = "/api/v1/datasets"
PAGE = "/area/OLDER"


def _slow(url: str, stop_event: threading.Event, interval: float) -> None:
    host, port = url.removeprefix("http://").rsplit(":", 1)
    try:
        with socket.create_connection((host, int(port)), timeout=60) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: bench\r\n")
            i = 0
            while not stop_event.wait(interval):
                sock.sendall(b"X-Slow-%d: y\r\n" % i)
                i += 1
    except OSError:
        pass  # closed by the server (nginx's client_header_timeout, gunicorn's worker timeout)


def _warm(url: str, path: str, n: int = 24) -> None:
    """Every worker answers once before timing (a worker's first request sets it up)."""
    for _ in range(n):
        with contextlib.suppress(requests.RequestException):
            requests.get(url + path, timeout=30)


def slow_clients(url: str, n_slow: int, seconds: float) -> dict:
    _warm(url, PROBE)
    stop_event = threading.Event()
    threads = [threading.Thread(target=_slow, args=(url, stop_event, 5.0), daemon=True)
               for _ in range(n_slow)]
    for t in threads:
        t.start()
    time.sleep(2)
    times, failed = [], 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        t0 = time.monotonic()
        try:
            r = requests.get(url + PROBE, timeout=10)
            ok = r.status_code == 200
        except requests.RequestException:
            ok = False
        took = time.monotonic() - t0
        if ok:
            times.append(took)
        else:
            failed += 1
        time.sleep(max(0.0, 0.5 - took))
    stop_event.set()
    for t in threads:
        t.join(10)
    return {"slow_clients": n_slow, "answered": len(times), "failed": failed,
            "max_s": round(max(times), 3) if times else None,
            "p95_s": round(_p95(times), 3) if times else None,
            "within_1s": bool(times) and failed == 0 and max(times) < 1.0}


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else values[0]


def _page_times(url: str, n: int = 40) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.monotonic()
        requests.get(url + PAGE, timeout=60).raise_for_status()
        out.append(time.monotonic() - t0)
    return out


def _hammer(url: str, stop_event: threading.Event, start: int, codes: list) -> None:
    i = start
    session = requests.Session()
    while not stop_event.is_set():
        try:
            r = session.get(f"{url}/download/scenario.csv",
                            params={"change": f"LUNCH:{5000 + i}"}, timeout=60)
            codes.append(r.status_code)
        except requests.RequestException:
            codes.append(0)
        i += 4


def fairness(url: str) -> dict:
    _warm(url, PAGE)  # every worker has the page's figures cached
    alone = _page_times(url)
    stop_event, codes = threading.Event(), []
    threads = [threading.Thread(target=_hammer, args=(url, stop_event, k * 1_000_000 + 1, codes),
                                daemon=True) for k in range(4)]
    for t in threads:
        t.start()
    time.sleep(2)
    loaded = _page_times(url)
    stop_event.set()
    for t in threads:
        t.join(70)
    ms = [1000 * x for x in alone], [1000 * x for x in loaded]
    return {"alone_p50_ms": round(statistics.median(ms[0]), 1),
            "alone_p95_ms": round(_p95(ms[0]), 1),
            "loaded_p50_ms": round(statistics.median(ms[1]), 1),
            "loaded_p95_ms": round(_p95(ms[1]), 1),
            "simulations_run": codes.count(200), "refused_429": codes.count(429),
            "other": len(codes) - codes.count(200) - codes.count(429)}


def _worker_rss_mb(master_pid: int) -> float:
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    total = 0
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return round(total / 1024, 1)


def memory(warehouse: Path, scenarios: int, cache_mb: str, offset: int) -> dict:
    proc, url = start_gunicorn("dashboard.app:server", warehouse, workers=1, extra_env={
        "CACHE_MAX_MB": cache_mb, "SIM_RATE": "1000000 per minute"})
    try:
        requests.get(f"{url}/download/scenario.csv",
                     params={"scenario": "close-luncheon-clubs"}, timeout=60).raise_for_status()
        points = [(0, _worker_rss_mb(proc.pid))]
        step = max(1, scenarios // 8)
        t0 = time.monotonic()
        session = requests.Session()
        for i in range(1, scenarios + 1):
            r = session.get(f"{url}/download/scenario.csv",
                            params={"change": f"LUNCH:{offset + i}"}, timeout=60)
            r.raise_for_status()
            if i % step == 0 or i == scenarios:
                points.append((i, _worker_rss_mb(proc.pid)))
        took = time.monotonic() - t0
    finally:
        stop(proc)
    growth = (points[-1][1] - points[0][1]) / scenarios
    return {"cache_max_mb": cache_mb, "scenarios": scenarios, "rss_mb": points,
            "mb_per_scenario": round(growth, 3), "seconds": round(took, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=2000)
    parser.add_argument("--unbounded", type=int, default=400)
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args(argv)
    warehouse = warehouse_path()
    results: dict = {"slow": {}, "fair": {}, "memory": []}

    proc, url = start_gunicorn("dashboard.app:server", warehouse, workers=2)
    try:
        results["slow"]["make run (gunicorn alone), 2 slow"] = slow_clients(url, 2, args.seconds)
    finally:
        stop(proc)
    env = {"WAREHOUSE_PATH": str(warehouse), **BENCH_ENV, "WEB_CONCURRENCY": "2",
           "SIM_RATE": "1000000 per minute", "NGINX_USER": "root"}
    for per_user in ("1", "4"):
        with tempfile.TemporaryDirectory(prefix="bench-serve-") as run_dir:
            stack = serve.start("127.0.0.1", serve.free_port(), run_dir,
                                env={**env, "SIM_PER_USER": per_user})
            try:
                if per_user == "1":
                    for n in (2, 50):
                        results["slow"][f"make serve (nginx), {n} slow"] = slow_clients(
                            stack.url, n, args.seconds)
                results["fair"][per_user] = fairness(stack.url)
            finally:
                stack.stop()
    results["memory"].append(memory(warehouse, args.scenarios, "128", 0))
    results["memory"].append(memory(warehouse, args.unbounded, "100000", 500_000))
    write("hostile", report(results), results)
    return 0


def report(r: dict) -> str:
    lines = ["## Holding under attack (issue 16)", "",
             "Slow clients: each sends one header line every 5 s and never finishes; another "
             "client asks for `/api/v1/datasets` every 0.5 s (10 s timeout).", "",
             "| server | slow clients | answered | failed | slowest | p95 | all within 1 s |",
             "|---|---|---|---|---|---|---|"]
    for name, s in r["slow"].items():
        lines.append(f"| {name.split(',')[0]} | {s['slow_clients']} | {s['answered']} | "
                     f"{s['failed']} | {s['max_s']} s | {s['p95_s']} s | "
                     f"{'yes' if s['within_1s'] else '**no**'} |")
    lines += ["", "Fair shares on `make serve` (2 instances x 2 workers): one user's 4 "
              "connections ask for new scenarios non-stop while another reader opens "
              f"`{PAGE}` 40 times.", "",
              "| per-user limit | reader alone p50 / p95 | reader under load p50 / p95 | "
              "simulations run | refused (429) |", "|---|---|---|---|---|"]
    for per_user, f in r["fair"].items():
        label = "`SIM_PER_USER=1` (default)" if per_user == "1" else \
            f"`SIM_PER_USER={per_user}` (no limit for 4 connections)"
        lines.append(f"| {label} | {f['alone_p50_ms']} / {f['alone_p95_ms']} ms | "
                     f"{f['loaded_p50_ms']} / {f['loaded_p95_ms']} ms | "
                     f"{f['simulations_run']} | {f['refused_429']} |")
    lines += ["", "Memory of one gunicorn worker running distinct scenarios one after another "
              "(resident set, MB, after n scenarios):", "",
              "| cache bound | scenarios | resident MB (n: MB) | growth per scenario | time |",
              "|---|---|---|---|---|"]
    for m in r["memory"]:
        bound = f"{m['cache_max_mb']} MB" if m["cache_max_mb"] != "100000" else "none"
        pts = ", ".join(f"{n}: {mb}" for n, mb in m["rss_mb"])
        lines.append(f"| {bound} | {m['scenarios']} | {pts} | {m['mb_per_scenario']} MB | "
                     f"{m['seconds']} s |")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
