"""Benchmark: the dashboard's named queries at 10 million spend rows (not a test).

Copies the warehouse to a temporary folder, grows ``spend`` to about 10,000,000 rows in DuckDB
SQL (the demo's transactions repeated with new source-file names, amounts divided by the
number of copies so totals stay plausible), rebuilds the marts with
``warehouse.build.write_marts``, then times every named query in ``queries/sql`` through
``queries.runner`` (the app's read-only connection, 1 DuckDB thread) with p50/p95 over repeats.
The copy's ``spend`` table keeps no primary-key index (it is rebuilt with CREATE TABLE AS).

Run from the repository root: python -m bench.bench_queries_10m [--rows N] [--repeats R]
"""

from __future__ import annotations

import argparse
import contextlib
import math
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import duckdb

from bench import warehouse_path, write

TARGET_MS = 20.0


def grow(path: Path, rows: int) -> int:
    """Grow ``spend`` in the file at ``path`` to about ``rows`` rows and rebuild the marts."""
    from warehouse.build import write_marts

    con = duckdb.connect(str(path))
    try:
        base = con.execute("select count(*) from spend").fetchall()[0][0]
        copies = max(1, math.ceil(rows / base))
        con.execute("""
            create or replace table spend as
            select case when k = 0 then source_file
                        else source_file || '#copy' || k::varchar end as source_file,
                   line_no, body_name, department_label, service_area_label, service_code,
                   expense_type, payment_date, financial_year, transaction_ref,
                   (amount_gbp / $copies)::decimal(14, 2) as amount_gbp, supplier_name, purpose
            from spend, range($copies) t(k)
        """, {"copies": copies})
        write_marts(con)
        con.execute("checkpoint")
        return con.execute("select count(*) from spend").fetchall()[0][0]
    finally:
        con.close()


def parameters(w) -> dict[str, str]:
    """One realistic value for each parameter name the queries use."""
    cur = w.connection().cursor()

    def first(sql: str) -> str:
        return str(cur.execute(sql).fetchall()[0][0])

    values = {
        "area_code": first("select area_code from investment_area order by 1"),
        "year": first("select max(financial_year) from spend"),
        "dept_code": first("select dept_code from department order by 1"),
        "service_code": first("select service_code from spend group by 1 order by count(*) desc"),
        "terms": "real", "benchmark": "england", "level": "95",
    }
    with contextlib.suppress(duckdb.Error):
        values["indicator_id"] = first("select indicator_id from indicator order by 1")
    cur.close()
    return values


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeats", type=int, default=50)
    args = parser.parse_args(argv)

    from queries import runner

    with tempfile.TemporaryDirectory(prefix="bench-10m-") as tmp:
        copy = Path(tmp) / "warehouse.duckdb"
        shutil.copyfile(warehouse_path(), copy)
        start = time.perf_counter()
        n = grow(copy, args.rows)
        grow_s = time.perf_counter() - start
        w = runner.Warehouse(copy)
        params = parameters(w)
        results = []
        for name, q in sorted(runner.QUERIES.items()):
            missing = [p for p in q.params if p not in params]
            if missing:
                results.append({"query": name, "error": f"no value for {missing}"})
                continue
            kw = {p: params[p] for p in q.params}
            try:
                w.run(name, **kw)  # first run: file pages into memory
                times = []
                for _ in range(args.repeats):
                    t = time.perf_counter()
                    df = w.run(name, **kw)
                    times.append((time.perf_counter() - t) * 1000)
            except runner.QueryError as err:
                results.append({"query": name, "error": str(err)})
                continue
            qs = statistics.quantiles(times, n=20, method="inclusive")
            results.append({"query": name, "rows": len(df), "p50_ms": round(qs[9], 2),
                            "p95_ms": round(qs[18], 2), "max_ms": round(max(times), 2)})
        w.close()

    timed = [r for r in results if "p95_ms" in r]
    worst = max(timed, key=lambda r: r["p95_ms"])
    over = [r["query"] for r in timed if r["p95_ms"] > TARGET_MS]
    lines = [
        "## Dashboard queries at 10 million spend rows",
        "",
        f"`spend` grown to {n:,} rows and the marts rebuilt in {grow_s:.0f} s; each named query "
        f"run once to warm, then {args.repeats} times through `queries.runner` (read-only, "
        f"1 DuckDB thread). Parameters: {', '.join(f'{k}={v}' for k, v in params.items())}.",
        "",
        "| query | rows | p50 ms | p95 ms | max ms |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in results:
        if "error" in r:
            lines.append(f"| {r['query']} | error: {r['error']} | | | |")
        else:
            lines.append(f"| {r['query']} | {r['rows']} | {r['p50_ms']} | {r['p95_ms']} | "
                         f"{r['max_ms']} |")
    lines += ["", f"Slowest p95: {worst['query']} {worst['p95_ms']} ms. Over {TARGET_MS:.0f} ms "
              f"at p95: {', '.join(over) or 'none'}."]
    md = "\n".join(lines)
    print(md)
    write("queries_10m", md, {"spend_rows": n, "queries": results,
                              "worst_p95_ms": worst["p95_ms"], "worst_query": worst["query"],
                              "over_target": over})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
