"""Benchmark: the area page's view requests against a bare Dash app's callback (not a test).

The area page is rendered on the server (the Flask site, ``dashboard/site``): a reader who changes a
control and presses "Show" sends one GET of the view's URL, which answers with the whole page.
That request is what this measures, for a set of views (years x terms x benchmark x an open
service), against the bare app's one callback, whose POST body is captured from a real page
load in Chromium. Both apps run under gunicorn (the project's gunicorn.conf.py, 2 workers each)
on 127.0.0.1 in the same run, loaded by a small threaded client (requests) at 1, 10 and 50
concurrent clients; each level is bounded by a request count and a time limit. The client
shares the 2 cores with the servers, as a same-machine benchmark must; both apps pay that cost
alike, so the ratio is the fairer figure.

Run from the repository root: python -m bench.bench_callbacks [--seconds S] [--requests N]
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from bench import start_gunicorn, stop, warehouse_path, write

LEVELS = (1, 10, 50)
AREA_PATH = "/area/OLDER"


def capture(url: str, path: str) -> tuple[list[tuple[str, str]], str]:
    """The Dash callback requests (url, body) a fresh browser sends to draw ``path``."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                     args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        found: list[tuple[str, str]] = []
        page.on("request", lambda r: found.append((r.url, r.post_data or ""))
                if "/_dash-update-component" in r.url else None)
        page.goto(url + path, wait_until="networkidle")
        text = page.inner_text("body")
        browser.close()
    return found, text


def views(url: str, wh) -> list[tuple[str, str]]:
    """GETs of the area page's views, as its form sends them (an empty body means GET)."""
    import duckdb

    con = duckdb.connect(str(wh), read_only=True)
    years = [r[0] for r in con.execute(
        "select distinct financial_year from mart_area_year where area_code = $a "
        "order by 1 desc limit 3", {"a": AREA_PATH.rsplit("/", 1)[1]}).fetchall()]
    con.close()
    out = []
    for year in years:
        for terms in ("cash", "real"):
            for benchmark in ("england", "region"):
                for service in ("", "LUNCH"):
                    out.append((f"{url}{AREA_PATH}?year={year}&terms={terms}&benchmark="
                                f"{benchmark}&level=95" + (f"&service={service}" if service
                                                           else ""), ""))
    return out


def _one(session: requests.Session, url: str, body: str) -> tuple[float, bool]:
    start = time.perf_counter()
    try:
        if body:
            r = session.post(url, data=body, headers={"Content-Type": "application/json"},
                             timeout=30)
        else:
            r = session.get(url, timeout=30)
            r.content  # noqa: B018 - read (and decompress) the whole page, as a browser does
        ok = r.status_code == 200
    except requests.RequestException:
        ok = False
    return time.perf_counter() - start, ok


def load(calls: list[tuple[str, str]], clients: int, max_requests: int,
         max_seconds: float) -> dict:
    """``clients`` threads replay ``calls`` round-robin until either bound is reached."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    issued = 0
    deadline = time.perf_counter() + max_seconds

    def worker(_):
        nonlocal issued, errors
        session = requests.Session()
        while True:
            with lock:
                if issued >= max_requests or time.perf_counter() > deadline:
                    return
                i = issued
                issued += 1
            url, body = calls[i % len(calls)]
            elapsed, ok = _one(session, url, body)
            with lock:
                latencies.append(elapsed)
                errors += 0 if ok else 1

    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(worker, range(clients)))
    wall = time.perf_counter() - start
    qs = statistics.quantiles(latencies, n=100, method="inclusive") if len(latencies) > 1 \
        else latencies * 99
    return {"clients": clients, "requests": len(latencies), "errors": errors,
            "seconds": round(wall, 2), "rps": round(len(latencies) / wall, 1),
            "p50_ms": round(qs[49] * 1000, 1), "p95_ms": round(qs[94] * 1000, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="time bound per level")
    parser.add_argument("--requests", type=int, default=3000, help="request bound per level")
    args = parser.parse_args(argv)

    wh = warehouse_path()
    dash_proc, dash_url = start_gunicorn("dashboard.app:server", wh)
    cold_proc, cold_url = start_gunicorn("dashboard.app:server", wh,
                                         extra_env={"PAGE_CACHE": "off"})
    bare_proc, bare_url = start_gunicorn("bench.bare_app:server", wh)
    try:
        calls = views(dash_url, wh)
        check = requests.get(calls[0][0], timeout=30)
        if check.status_code != 200 or "area-cost" not in check.text:
            raise RuntimeError(f"the area page did not render: {check.status_code}")
        bare_calls, _ = capture(bare_url, "/")
        if not bare_calls:
            raise RuntimeError("no Dash callback requests captured from the bare app")
        cold_calls = [(u.replace(dash_url, cold_url), b) for u, b in calls]
        for c in (calls, cold_calls, bare_calls):  # warm all: imports, first queries, caches
            load(c, 2, max(40, 2 * len(c)), 20)
        rows = []
        for clients in LEVELS:
            d = load(calls, clients, args.requests, args.seconds)
            c = load(cold_calls, clients, args.requests, args.seconds)
            b = load(bare_calls, clients, args.requests, args.seconds)
            rows.append({"clients": clients, "dashboard": d, "no_page_cache": c, "bare": b,
                         "ratio": round(d["rps"] / b["rps"], 2) if b["rps"] else None,
                         "ratio_no_page_cache":
                             round(c["rps"] / b["rps"], 2) if b["rps"] else None})
    finally:
        stop(dash_proc)
        stop(cold_proc)
        stop(bare_proc)

    lines = [
        "## Area page view requests against a bare Dash callback",
        "",
        f"Dashboard: GETs of {len(calls)} views of `{AREA_PATH}` (3 years x cash/real x two "
        "benchmarks x no service/LUNCH open), round-robin; each answers the whole server-"
        "rendered page (about 55 kB of HTML before compression), which is what a reader's "
        "\"Show\" costs. Bare app (`bench/bare_app.py`, one dropdown → one `go.Figure` from "
        f"DuckDB): {len(bare_calls)} callback request(s) captured from Chromium. Three servers, "
        "each gunicorn with 2 sync workers on 127.0.0.1, loaded in turn in one run by a "
        "threaded `requests` client on the same 2 cores; each level bounded at "
        f"{args.requests} requests or {args.seconds:.0f} s:",
        "",
        "- **dashboard**: as deployed. Pages that are the same for every reader are kept "
        "rendered per worker (`PAGE_CACHE`, keyed by data and code version, path and the "
        "page's own query parameters): what many readers opening the same views cost.",
        "- **no page cache**: the same app with `PAGE_CACHE=off`: every request builds and "
        "renders the page (its sections' queries and figures still come from the cache): "
        "what the first reader of each view costs.",
        "- **bare**: the bare app's callback.",
        "",
        "| clients | dashboard p50 ms | p95 ms | req/s | errors "
        "| no page cache p50 ms | p95 ms | req/s "
        "| bare p50 ms | p95 ms | req/s | errors | ratio | ratio, no page cache |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        d, c, b = r["dashboard"], r["no_page_cache"], r["bare"]
        lines.append(f"| {r['clients']} | {d['p50_ms']} | {d['p95_ms']} | {d['rps']} | "
                     f"{d['errors']}/{d['requests']} | {c['p50_ms']} | {c['p95_ms']} | "
                     f"{c['rps']} | {b['p50_ms']} | {b['p95_ms']} | "
                     f"{b['rps']} | {b['errors']}/{b['requests']} | {r['ratio']} | "
                     f"{r['ratio_no_page_cache']} |")
    md = "\n".join(lines)
    print(md)
    write("callbacks", md, {"page": AREA_PATH, "views": len(calls), "levels": rows})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
