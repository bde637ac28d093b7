"""Benchmark: one move of the live scenario planner's control, all its results redrawn.

Serves the app with gunicorn (2 workers, the project's gunicorn.conf.py) and POSTs the
planner's callback as dash-renderer does when a reader moves a control: the luncheon clubs
cut by a different per cent each time (so every move is a new model run: 10,000 Monte Carlo
draws, the tornado, the tables, the headline, the figures and the component tree), one move
at a time. Timed at the client over loopback, so the figure is the server's time plus a
loopback round trip (well under a millisecond). Also times repeated moves to a value seen
before (the model run cached). On a machine others share, the wall time counts their work
too, so the same moves are also timed in process (Flask's test client, one thread) by the
CPU time the request took (``time.thread_time``), which other processes do not inflate.
Writes var/bench/planner.md and planner.json.

Usage: python -m bench.bench_planner [--moves 60] [--app dashboard.app:server]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import requests

from bench import start_gunicorn, stop, warehouse_path, write

KEY_START = "..scenarios-rows.children"
TARGET_MEDIAN_MS, TARGET_P95_MS = 150, 300


def _entry(ident, prop, value) -> dict:
    return {"id": ident, "property": prop, "value": value}


def body(key: str, outputs: list, pct: float) -> dict:
    row = {"service": "LUNCH"}
    return {
        "output": key, "outputs": outputs,
        "inputs": [_entry("scenarios-add", "n_clicks", None),
                   [_entry({**row, "type": "scenarios-row-remove"}, "n_clicks", None)],
                   [_entry({**row, "type": "scenarios-row-value"}, "value", pct)],
                   [_entry({**row, "type": "scenarios-row-kind"}, "value", "percent")],
                   _entry("scenarios-persist", "value", "sustained")],
        "state": [_entry("scenarios-add-service", "value", "FALLS"),
                  _entry("scenarios-loaded", "data", {"ref": ""})],
        "changedPropIds": ['{"service":"LUNCH","type":"scenarios-row-value"}.value'],
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(url: str, moves: int) -> dict:
    deps = requests.get(f"{url}/staff/_dash-dependencies", timeout=60).json()
    key = next((d["output"] for d in deps if d["output"].startswith(KEY_START)), None)
    if key is None:
        raise RuntimeError("this app serves no live planner (dashboard.staff.create_dash)")
    outputs = [{"id": p.rsplit(".", 1)[0], "property": p.rsplit(".", 1)[1]}
               for p in key[2:-2].split("...")]
    host = url.split("//", 1)[1]
    session = requests.Session()
    session.headers.update({"Origin": f"http://{host}", "Sec-Fetch-Site": "same-origin"})

    def move(pct: float) -> tuple[float, int]:
        start = time.perf_counter()
        r = session.post(f"{url}/staff/_dash-update-component", json=body(key, outputs, pct),
                         timeout=60)
        took = (time.perf_counter() - start) * 1000
        if r.status_code != 200 or "scenarios-years-chart-graph" not in r.text:
            raise RuntimeError(f"the planner did not redraw: {r.status_code} {r.text[:300]}")
        return took, len(r.content)

    for pct in (-99.5, -99.0):  # each worker's first request sets Dash up
        move(pct)
    cold = [move(-1.0 - i * 0.25) for i in range(moves)]  # each a new scenario
    warm = [move(-1.0 - (i % 5) * 0.25) for i in range(moves)]  # seen before: cached run
    times = [t for t, _ in cold]
    warm_times = [t for t, _ in warm]
    return {
        "moves": moves, "draws": 10_000,
        "cold_median_ms": round(statistics.median(times), 1),
        "cold_p95_ms": round(percentile(times, 0.95), 1),
        "cold_max_ms": round(max(times), 1),
        "warm_median_ms": round(statistics.median(warm_times), 1),
        "warm_p95_ms": round(percentile(warm_times, 0.95), 1),
        "response_bytes": statistics.median(b for _, b in cold),
    }


def cpu_times(moves: int) -> dict:
    """The same moves in process: CPU milliseconds of each request (new scenarios)."""
    from dashboard.factory import create_app
    from dashboard.settings import Settings

    os.environ.setdefault("WAREHOUSE_PATH", str(warehouse_path()))
    client = create_app(Settings.from_env(mode="internal")).test_client()
    deps = client.get("/staff/_dash-dependencies").get_json()
    key = next(d["output"] for d in deps if d["output"].startswith(KEY_START))
    outputs = [{"id": p.rsplit(".", 1)[0], "property": p.rsplit(".", 1)[1]}
               for p in key[2:-2].split("...")]
    times = []
    for i in range(moves + 2):
        start = time.thread_time()
        r = client.post("/staff/_dash-update-component",
                        json=body(key, outputs, -2.0 - i * 0.25))
        took = (time.thread_time() - start) * 1000
        if r.status_code != 200:
            raise RuntimeError(f"the planner did not redraw: {r.status_code}")
        if i >= 2:  # the first requests set Dash up
            times.append(took)
    return {"cpu_median_ms": round(statistics.median(times), 1),
            "cpu_p95_ms": round(percentile(times, 0.95), 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=60)
    parser.add_argument("--app", default="dashboard.app:server",
                        help="the WSGI app gunicorn serves (one with the staff dashboard)")
    args = parser.parse_args(argv)
    proc, url = start_gunicorn(args.app, warehouse_path(), workers=2)
    try:
        r = run(url, args.moves)
    finally:
        stop(proc)
    r.update(cpu_times(args.moves))
    r["load_average"] = round(os.getloadavg()[0], 1)
    met = r["cold_median_ms"] <= TARGET_MEDIAN_MS and r["cold_p95_ms"] <= TARGET_P95_MS
    md = "\n".join([
        "## Scenario planner: one control move, every result redrawn", "",
        f"{r['moves']} moves of the luncheon clubs' cut, each to a new per cent (a new model "
        f"run of {r['draws']:,} draws, the tornado, tables, headline, figures), one at a "
        "time, to gunicorn with 2 workers on 2 cores; timed at the client over loopback.", "",
        "| | median | p95 | target |", "|---|---|---|---|",
        f"| a new scenario | {r['cold_median_ms']} ms | {r['cold_p95_ms']} ms | "
        f"<= {TARGET_MEDIAN_MS} ms median, <= {TARGET_P95_MS} ms p95: "
        f"{'met' if met else '**not met**'} |",
        f"| a scenario seen before (cached run) | {r['warm_median_ms']} ms | "
        f"{r['warm_p95_ms']} ms | |",
        f"| a new scenario, CPU time in process | {r['cpu_median_ms']} ms | "
        f"{r['cpu_p95_ms']} ms | |", "",
        f"1-minute load average after the run: {r['load_average']} on 2 cores (other work "
        "on the machine inflates the wall times, not the CPU times).",
        f"Response: {r['response_bytes'] / 1000:.0f} kB of JSON (before compression).",
    ])
    write("planner", md, {**r, "met": met})
    print(md)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
