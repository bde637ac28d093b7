"""Benchmark for indicators.spillover (a script, not a test).

Runs :func:`indicators.spillover.simulate` with 10,000 draws over every link of a
demo-like link set (15 links, 6 services, 6 payers) for 5 years, changing the spend of
every service, and times the whole call (validation, sampling, aggregation, output
frames) over 20 repeats after one warm-up. Prints a markdown line with the median and
writes ``var/bench/spillover.md``.

The link set is invented for timing only: its numbers are plausible in size, not
evidence. The real demo data comes from the warehouse.

Usage: ``.venv/bin/python bench/bench_spillover.py [--repeats 20] [--draws 10000]``
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from indicators import spillover  # noqa: E402

PAYERS = pd.DataFrame(
    [
        ("ASC", "Adult social care", "COUNCIL", True),
        ("PH", "Public health", "COUNCIL", True),
        ("HSG", "Housing", "COUNCIL", True),
        ("NHS-ICB", "NHS integrated care board", "ICB", False),
        ("NHS-AMB", "Ambulance service", "AMB", False),
        ("DWP", "Department for Work and Pensions", "DWP", False),
    ],
    columns=["payer_code", "payer_label", "organisation_code", "is_council"],
)

UNIT_COSTS = pd.DataFrame(
    [
        ("AE_ATT", "NHS-ICB", 250.0, 180.0, 400.0),
        ("NEL_ADM", "NHS-ICB", 3500.0, 2500.0, 5000.0),
        ("GP_APPT", "NHS-ICB", 42.0, 35.0, 55.0),
        ("AMB_CONV", "NHS-AMB", 420.0, 350.0, 520.0),
        ("HOMECARE_YR", "ASC", 9000.0, 7000.0, 12000.0),
        ("RES_CARE_YR", "ASC", 38000.0, 32000.0, 45000.0),
        ("CARER_BREAK", "ASC", 1500.0, 1000.0, 2200.0),
        ("HOMELESS_APP", "HSG", 2800.0, 2000.0, 4000.0),
        ("ESA_CLAIM_YR", "DWP", 5500.0, 4500.0, 6500.0),
        ("SMOKING_QUIT", "PH", 300.0, 200.0, 450.0),
    ],
    columns=[
        "cost_item",
        "payer_code",
        "unit_cost_gbp",
        "unit_cost_low_gbp",
        "unit_cost_high_gbp",
    ],
).assign(price_year="2023/24", source="bench (invented)")

# Columns: link, service, £ per activity unit, outcome, events per unit, effect ratio
# (low, high), cost item, payer, lag years, drop-off, evidence grade.
_LINKS_CSV = """\
link_id,service_code,activity_unit_cost_gbp,outcome_code,events_per_unit,effect_ratio,\
effect_ratio_low,effect_ratio_high,cost_item,payer_code,lag_years,drop_off,evidence_grade
L01,LUNCH,1200,FALL_AE,0.30,0.77,0.71,0.83,AE_ATT,NHS-ICB,0,0.1,high
L02,LUNCH,1200,FALL_ADM,0.05,0.77,0.71,0.83,NEL_ADM,NHS-ICB,0,0.1,high
L03,LUNCH,1200,FALL_AMB,0.10,0.77,0.71,0.83,AMB_CONV,NHS-AMB,0,0.1,high
L04,LUNCH,1200,HOMECARE,0.04,0.80,0.60,1.05,HOMECARE_YR,ASC,2,0.2,low
L05,FALLSEX,400,FALL_ADM,0.06,0.76,0.67,0.86,NEL_ADM,NHS-ICB,0,0.3,moderate
L06,FALLSEX,400,FALL_AE,0.35,0.76,0.67,0.86,AE_ATT,NHS-ICB,0,0.3,moderate
L07,BEFRIEND,600,GP_VISIT,2.0,0.90,0.75,1.08,GP_APPT,NHS-ICB,0,0.0,low
L08,BEFRIEND,600,RES_ENTRY,0.01,0.85,0.60,1.20,RES_CARE_YR,ASC,3,0.0,very low
L09,HANDY,900,FALL_ADM,0.04,0.74,0.61,0.91,NEL_ADM,NHS-ICB,0,0.05,moderate
L10,HANDY,900,HOMECARE,0.03,0.90,0.70,1.10,HOMECARE_YR,ASC,1,0.1,low
L11,CARERS,800,CARER_BREAKDOWN,0.08,0.70,0.50,0.95,CARER_BREAK,ASC,0,0.0,low
L12,CARERS,800,RES_ENTRY,0.02,0.80,0.55,1.15,RES_CARE_YR,ASC,2,0.0,very low
L13,TENANCY,1500,HOMELESS,0.20,0.55,0.40,0.75,HOMELESS_APP,HSG,0,0.0,moderate
L14,TENANCY,1500,ESA,0.05,0.90,0.75,1.05,ESA_CLAIM_YR,DWP,1,0.2,very low
L15,STOPSMOKE,250,QUIT,0.10,0.60,0.50,0.72,SMOKING_QUIT,PH,0,0.0,high
"""
LINKS = pd.read_csv(io.StringIO(_LINKS_CSV)).assign(
    activity_unit="place-year",
    outcome_label=lambda d: d["outcome_code"].str.replace("_", " ").str.title(),
    source="bench (invented)",
)

CHANGES = pd.DataFrame(
    [
        ("LUNCH", "ASC", -250_000.0),
        ("FALLSEX", "PH", -80_000.0),
        ("BEFRIEND", "ASC", -60_000.0),
        ("HANDY", "HSG", -120_000.0),
        ("CARERS", "ASC", -150_000.0),
        ("TENANCY", "HSG", 50_000.0),
        ("STOPSMOKE", "PH", -40_000.0),
    ],
    columns=["service_code", "payer_code", "spend_change_gbp"],
)


def _time(fn, repeats: int) -> tuple[list[float], list[float]]:
    """Wall-clock and process CPU milliseconds per call (CPU time is less sensitive to
    other processes competing for the cores)."""
    fn()  # warm-up (imports, caches)
    wall, cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - start) * 1000.0)
        cpu.append((time.process_time() - start_cpu) * 1000.0)
    return wall, cpu


def _load() -> str:
    try:
        return ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--draws", type=int, default=spillover.DEFAULT_DRAWS)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench" / "spillover.md")
    args = parser.parse_args(argv)

    def run_simulate():
        return spillover.simulate(
            LINKS, UNIT_COSTS, PAYERS, CHANGES, years=args.years, draws=args.draws
        )

    def run_tornado():
        return spillover.tornado(
            LINKS, UNIT_COSTS, PAYERS, CHANGES, years=args.years, include_timing=True
        )

    funders = dict(zip(CHANGES["service_code"], CHANGES["payer_code"], strict=True))

    def run_matrix():
        return spillover.payer_matrix(LINKS, UNIT_COSTS, PAYERS, funders, years=args.years)

    shape = f"{len(LINKS)} links x {args.draws:,} draws x {args.years} years"
    load_before = _load()
    rows = [
        ("spillover.simulate", shape, *_time(run_simulate, args.repeats)),
        ("spillover.tornado (with timing inputs)", f"{len(LINKS)} links", *_time(run_tornado, 5)),
        ("spillover.payer_matrix", f"{len(LINKS)} links", *_time(run_matrix, 5)),
    ]
    result = run_simulate()
    purse = result.overall.set_index("scope").loc["public_purse"]

    wall, cpu = rows[0][2], rows[0][3]
    headline = (
        f"| spillover.simulate | {shape} | median {statistics.median(wall):.1f} ms wall "
        f"(min {min(wall):.1f}), median {statistics.median(cpu):.1f} ms CPU, "
        f"{args.repeats} repeats |"
    )
    print(headline)

    lines = [
        "# Benchmark: indicators.spillover",
        "",
        f"Generated {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')} by "
        "`bench/bench_spillover.py` (invented demo-like link set: 15 links, 6 services "
        "changed, 6 payers; the whole call is timed, including validation and output "
        "frames).",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPU(s), Python "
        f"{platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}. "
        f"Load average (1, 5, 15 min) before the run: {load_before}; wall-clock times "
        "inflate when other processes compete for the cores, CPU time much less so.",
        "",
        "| call | size | median ms (wall) | min ms (wall) | max ms (wall) "
        "| median ms (CPU) | repeats |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for name, size, times, cpu_times in rows:
        lines.append(
            f"| {name} | {size} | {statistics.median(times):.1f} | {min(times):.1f} | "
            f"{max(times):.1f} | {statistics.median(cpu_times):.1f} | {len(times)} |"
        )
    lines += [
        "",
        "Sanity check (public purse, discounted over the horizon): central "
        f"£{purse['net_saving_gbp']:,.0f}, 95% interval £{purse['net_saving_p2_5_gbp']:,.0f} "
        f"to £{purse['net_saving_p97_5_gbp']:,.0f}, P(net saving) "
        f"{purse['prob_net_saving']:.2f}.",
        "",
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
