"""Benchmark: a first reader's area view against a bare Flask route with one DuckDB query.

A first reader asks for a view nobody asked for before (a query string the page cache does not
hold). Every view of the area pages (area x year x terms x benchmark x level x an open service
or none) is asked for once, in a shuffled order, from a fresh start of the dashboard (public
mode, as served, page cache on); the bare app (``bench/bare_flask.py``: one bound query of the
same warehouse file, a small Jinja table) is asked between them, request for request, so both
share the machine's noise. Both run under gunicorn (gunicorn.conf.py, 2 workers each) on
127.0.0.1 in the same run, one request at a time. The time is the client's (the request and its
answer over loopback, uncompressed), the same for both; the target is the ratio of medians.

Run from the repository root: python -m bench.bench_first_reader [--views N]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

import duckdb
import requests

from bench import start_gunicorn, stop, warehouse_path, write

TARGET_RATIO = 6.0


def views(wh) -> list[str]:
    con = duckdb.connect(str(wh), read_only=True)
    years = con.execute("select area_code, financial_year from mart_area_year").fetchall()
    services = dict(con.execute(
        "select area_code, min(service_code) from service_allocation group by 1").fetchall())
    con.close()
    out = []
    for area, year in years:
        for terms in ("cash", "real"):
            for benchmark in ("england", "region"):
                for level in ("95", "998"):
                    for service in ("", services.get(area, "")):
                        query = f"year={year}&terms={terms}&benchmark={benchmark}&level={level}"
                        out.append(f"/area/{area}?{query}" + (f"&service={service}"
                                                              if service else ""))
    return sorted(set(out))


def timed(session: requests.Session, url: str) -> float:
    start = time.perf_counter()
    r = session.get(url, headers={"Accept-Encoding": "identity"}, timeout=60)
    elapsed = (time.perf_counter() - start) * 1000
    if r.status_code != 200:
        raise RuntimeError(f"{url}: {r.status_code}")
    return elapsed


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 2 else max(values)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--views", type=int, default=400)
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()
    wh = warehouse_path()
    paths = views(wh)
    random.Random(args.seed).shuffle(paths)  # noqa: S311 - an order, not a secret
    paths = paths[:args.views]
    site, site_url = start_gunicorn("dashboard.app:server", wh,
                                    extra_env={"DASHBOARD_MODE": "public"})
    bare, bare_url = start_gunicorn("bench.bare_flask:server", wh)
    try:
        s = requests.Session()
        areas = sorted({p.split("?")[0].rsplit("/", 1)[1] for p in paths})
        for _ in range(4):  # both apps' workers up: the site's front page, the bare route
            timed(s, site_url + "/methods")
            timed(s, bare_url + f"/bare/{areas[0]}")
        first, baseline = [], []
        for path in paths:
            first.append(timed(s, site_url + path))
            baseline.append(timed(s, bare_url + f"/bare/{path.split('?')[0].rsplit('/', 1)[1]}"))
        again = [timed(s, site_url + p) for p in paths[:50]]  # the same views, now kept
    finally:
        stop(site)
        stop(bare)
    med_first, med_bare = statistics.median(first), statistics.median(baseline)
    ratio = med_first / med_bare
    results = {
        "views": len(paths), "first_reader_median_ms": round(med_first, 1),
        "first_reader_p95_ms": round(pct(first, 95), 1),
        "first_10_views_median_ms": round(statistics.median(first[:10]), 1),
        "bare_median_ms": round(med_bare, 1), "bare_p95_ms": round(pct(baseline, 95), 1),
        "kept_view_median_ms": round(statistics.median(again), 1),
        "ratio_of_medians": round(ratio, 2), "target_ratio": TARGET_RATIO,
        "met": ratio <= TARGET_RATIO,
    }
    verdict = "met" if results["met"] else "not met"
    md = f"""### A first reader's area view against a bare Flask route with one DuckDB query

{len(paths)} area views nobody had asked for before (area x year x terms x benchmark x level x
service, shuffled), each asked once from a fresh start of the public site, with the bare route
asked between them; one request at a time, 2 gunicorn workers each, the client's time over
loopback.

| | median | p95 |
|---|---|---|
| first reader of an area view | {med_first:.1f} ms | {results['first_reader_p95_ms']} ms |
| bare Flask route, one DuckDB query | {med_bare:.1f} ms | {results['bare_p95_ms']} ms |
| the same area view, asked again (kept page) | {results['kept_view_median_ms']} ms | |

Ratio of medians: **{ratio:.1f}x** (target <= {TARGET_RATIO:.0f}x: {verdict}).
The first 10 views after the start (the least already made): median
{results['first_10_views_median_ms']} ms.
"""
    write("first_reader", md, results)
    print(md)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
