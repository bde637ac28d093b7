"""Benchmark: confidence intervals for 1,000,000 rows (not a test).

Times indicators.intervals.wilson, .rate (exact below 10 events, Byar's otherwise) and .byar on
1,000,000 synthetic rows, and .dsr_frame on 1,000,000 age-band rows (19 ESP2013 bands per
area), then prints one markdown line and writes it to
var/bench/intervals.md (overwritten each run) for `make bench` to collect.

Run from the repository root: python bench/bench_intervals.py [--rows N] [--repeat R]
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from indicators import dsr as dsr_mod  # noqa: E402
from indicators import intervals  # noqa: E402


def _best_of(repeat: int, fn) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench" / "intervals.md")
    args = parser.parse_args(argv)

    rng = np.random.default_rng(20240401)
    n = rng.integers(50, 500_000, size=args.rows).astype(float)
    # a spread of counts, about 5% of them below 10 so the exact method is exercised too
    x = np.floor(n * rng.beta(0.6, 30, size=args.rows))
    x[rng.random(args.rows) < 0.01] = np.nan  # some missing inputs

    areas = args.rows // 19
    bands = pd.DataFrame({
        "area": np.repeat(np.arange(areas), 19),
        "count": rng.integers(0, 60, size=areas * 19),
        "population": rng.integers(100, 20_000, size=areas * 19),
    })

    timings = {
        "wilson": _best_of(args.repeat, lambda: intervals.wilson(x, n, 0.95)),
        "rate": _best_of(args.repeat, lambda: intervals.rate(x, n, 100_000, 0.95)),
        "byar": _best_of(args.repeat, lambda: intervals.byar(x, 0.998)),
        "dsr_frame": _best_of(args.repeat, lambda: dsr_mod.dsr_frame(bands, by="area")),
    }
    below_10 = float(np.mean(x < 10))
    parts = ", ".join(f"{name} {seconds * 1000:.0f} ms" for name, seconds in timings.items())
    line = (f"| intervals | {args.rows:,} rows | {parts} | "
            f"{below_10:.1%} exact-method rows | Python {platform.python_version()}, "
            f"numpy {np.__version__} |")
    print(line)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(line + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
