"""The demo borough: a seeded, deterministic generator of source files in real formats.

It writes what a council would load — spend-over-£500 CSVs, a budget book, service activity,
Fingertips-export indicator CSVs for the borough, London and England, unit costs, the
mapping YAML and the spill-over links — and ``build`` loads them through the real loaders.

The borough is illustrative ("Northbridge", a code that no real place has). Its figures are
calibrated on docs/calibration (../shared/CALIBRATION.md): London-borough scale, falls
admissions near Camden's, England's 1,933 per 100,000 in 2022/23, unit costs from NHS
reference costs, the Homecare Association and LaingBuisson. The story is in the data: the
council cut most luncheon clubs in 2019/20; from the next year falls admissions, A&E
attendances after falls and home-care hours rise.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from indicators import dsr as dsr_mod
from indicators import intervals
from warehouse.demo_catalogue import (
    AREAS,
    COUNCIL_BODY,
    DEPARTMENTS,
    LINKS,
    ORGANISATIONS,
    SERVICES,
    UNIT_COSTS,
    Svc,
)

SEED = 20240401
YEARS = [f"{y}/{(y + 1) % 100:02d}" for y in range(2016, 2025)]  # 2016/17 .. 2024/25
CUT_YEAR = "2019/20"
DRAFT_YEAR = "2025/26"
BOROUGH = ("E09000999", "Northbridge (demo)")
LONDON = ("E12000007", "London region")
ENGLAND = ("E92000001", "England")
PRICE_YEAR = "2024/25"
ILLUSTRATIVE = "Illustrative demo figures, calibrated on published sources; not a real council."

def _pay_index(year_i: int) -> float:
    """Cash price growth on 2016/17: about 2.5% a year, faster in 2022/23 (illustrative)."""
    steps = [0.0, 0.025, 0.026, 0.024, 0.03, 0.02, 0.065, 0.055, 0.035]
    return float(np.prod([1 + s for s in steps[: year_i + 1]]))


def _activity(svc: Svc, i: int, rng: np.random.Generator) -> float:
    """Units of activity bought in year i; the story's changes are here."""
    year = YEARS[i]
    units = svc.base_units * (1 + rng.normal(0, 0.015))
    after = max(0, i - YEARS.index(CUT_YEAR))  # years since the luncheon-club cut
    if svc.code == "LUNCH" and year >= CUT_YEAR:
        units = 420 * (1 + rng.normal(0, 0.02))  # 30 clubs cut to 11
    if svc.code == "HOMECARE":
        units *= 1 + 0.012 * i + (0.035 * (after - 1) if after >= 2 else 0)
    if svc.code == "RESCARE":
        units *= 1 + 0.008 * i + (0.025 * (after - 2) if after >= 3 else 0)
    if svc.code == "REPAIRS":
        units *= 1 - 0.02 * i
    if svc.code == "PLANNED":
        units *= 1 + 0.06 * i
    if svc.code == "YOUTH" and year >= "2020/21":
        units *= 0.8
    if svc.code == "SMOKING":
        units *= 1 - 0.03 * i
    return round(units, 0)


def _write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _fmt(x: float | None, digits: int = 6) -> str:
    if x is None or (isinstance(x, float) and not np.isfinite(x)):
        return ""
    text = f"{x:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _money(x: float) -> str:
    return f"{x:.2f}"


# --- money ---------------------------------------------------------------------------------
def _service_money(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for svc in SERVICES:
        for i, year in enumerate(YEARS):
            units = _activity(svc, i, rng)
            outturn = units * svc.unit_cost * _pay_index(i)
            approved = outturn * (1 + rng.normal(-0.01, 0.03))
            rows.append((svc.code, year, units, round(outturn, 2), round(approved, 2)))
    return pd.DataFrame(rows, columns=["service_code", "financial_year", "units", "outturn",
                                       "approved"])


def _spend_rows(svc: Svc, year: str, total: float, rng: np.random.Generator) -> list[list]:
    """Payment lines summing to the year's outturn: lognormal sizes, a few credit notes."""
    start = int(year[:4])
    typical = 4000 if total < 2e6 else 20000
    n = int(np.clip(total / typical, 12, 2500))
    sizes = rng.lognormal(mean=0, sigma=0.8, size=n)
    amounts = np.round(sizes / sizes.sum() * total, 2)
    amounts = np.maximum(amounts, 500.0)
    amounts[-1] = round(total - amounts[:-1].sum(), 2)
    credits = rng.random(n) < 0.01
    days = rng.integers(0, 365, size=n)
    dates = pd.Timestamp(f"{start}-04-01") + pd.to_timedelta(days, unit="D")
    sup = rng.integers(0, len(svc.suppliers), size=n)
    exp = rng.integers(0, len(svc.expense_types), size=n)
    dept = next(d["name"] for d in DEPARTMENTS if d["code"] == svc.dept)
    rows = []
    for k in range(n):
        amount = amounts[k]
        rows.append([
            COUNCIL_BODY, BOROUGH[0], dept, svc.service_area, svc.expense_types[exp[k]],
            dates[k].strftime("%d/%m/%Y"), f"NB{start}{svc.code[:3]}{k:05d}",
            _money(amount), svc.suppliers[sup[k]], svc.name,
        ])
        if credits[k]:
            rows.append([
                COUNCIL_BODY, BOROUGH[0], dept, svc.service_area, svc.expense_types[exp[k]],
                dates[k].strftime("%d/%m/%Y"), f"NB{start}{svc.code[:3]}{k:05d}C",
                _money(-round(amount * 0.1, 2)), svc.suppliers[sup[k]],
                "Credit note: " + svc.name,
            ])
            rows.append([
                COUNCIL_BODY, BOROUGH[0], dept, svc.service_area, svc.expense_types[exp[k]],
                dates[k].strftime("%d/%m/%Y"), f"NB{start}{svc.code[:3]}{k:05d}R",
                _money(round(amount * 0.1, 2)), svc.suppliers[sup[k]],
                "Re-invoice after credit note: " + svc.name,
            ])
    return rows


SPEND_HEADER = ["Body Name", "Body", "Department", "Service Area", "Expenses Type",
                "Payment Date", "Transaction Number", "Net Amount", "Supplier Name",
                "Purpose of Expenditure"]


# --- indicators ----------------------------------------------------------------------------
FT_HEADER = [
    "Indicator ID", "Indicator Name", "Parent Code", "Parent Name", "Area Code", "Area Name",
    "Area Type", "Sex", "Age", "Category Type", "Category", "Time period", "Value",
    "Lower CI 95.0 limit", "Upper CI 95.0 limit", "Lower CI 99.8 limit", "Upper CI 99.8 limit",
    "Count", "Denominator", "Value note", "Recent Trend",
    "Compared to England value or percentiles",
    "Compared to Region value or percentiles", "Time period Sortable", "New data",
    "Compared to goal",
]
AREA_TYPES = {BOROUGH[0]: "London boroughs (demo)", LONDON[0]: "Regions (statistical)",
              ENGLAND[0]: "England"}
PARENTS = {BOROUGH[0]: LONDON, LONDON[0]: ENGLAND, ENGLAND[0]: ("", "")}

# id, name, value type, multiplier, polarity, unit, source
INDICATORS = [
    (22401, "Emergency hospital admissions due to falls in people aged 65 and over",
     "Directly standardised rate", 100000, "Low is good", "per 100,000 aged 65+",
     "OHID Fingertips (demo values)"),
    (900001, "Older people supported to live at home", "Count", 1, "High is good",
     "older people", "Council adult social care records (demo)"),
    (900002, "A&E attendances after a fall, people aged 65 and over", "Crude rate", 100000,
     "Low is good", "per 100,000 aged 65+", "NHS Emergency Care Data Set (demo)"),
    (900003, "Permanent admissions to residential and nursing care homes, aged 65+",
     "Crude rate", 100000, "Low is good", "per 100,000 aged 65+", "ASCOF 2A(2) (demo)"),
    (900010, "Anti-social behaviour cases resolved", "Count", 1, "High is good", "cases",
     "Council community safety records (demo)"),
    (900011, "Police recorded crime", "Crude rate", 1000, "Low is good", "per 1,000 residents",
     "Police recorded crime (demo)"),
    (900020, "Council homes meeting the Decent Homes Standard", "Count", 1, "High is good",
     "homes", "Local authority housing statistics (demo)"),
    (900021, "Council homes that are not decent", "Proportion", 100, "Low is good",
     "% of council homes", "Local authority housing statistics (demo)"),
    (90631, "School readiness: good level of development at the end of Reception",
     "Proportion", 100, "High is good", "% of children", "DfE EYFSP via Fingertips (demo)"),
    (900030, "Children achieving a good level of development at age 5", "Count", 1,
     "High is good", "children", "DfE EYFSP (demo)"),
    (92443, "Smoking prevalence in adults (18+): current smokers (APS)", "Proportion", 100,
     "Low is good", "% of adults", "ONS Annual Population Survey via Fingertips (demo)"),
    (900040, "Smokers who have quit at 4 weeks", "Count", 1, "High is good", "quitters",
     "NHS stop smoking services (demo)"),
    (93014, "Percentage of physically active adults", "Proportion", 100, "High is good",
     "% of adults", "Sport England Active Lives via Fingertips (demo)"),
    (900050, "Household waste sent for reuse, recycling or composting", "Count", 1,
     "High is good", "tonnes", "DEFRA WasteDataFlow (demo)"),
    (900051, "Streets meeting the cleanliness standard (surveyed transects)", "Proportion",
     100, "High is good", "% of transects", "Local environmental quality survey (demo)"),
    (247, "Dementia: recorded prevalence, aged 65 and over", "Proportion", 100, "No judgement",
     "% of people aged 65+", "NHS Quality and Outcomes Framework via Fingertips (demo)"),
]
# Fingertips' BenchmarkComparisonMethod, as its metadata writes it; the rest are compared at
# 95% (written out, as Fingertips does). One of each kind, so the pages show each: 99.8%
# (care-home admissions, and dementia prevalence as Fingertips compares it), quintiles
# (physically active adults, ranked among London boroughs) and no polarity (dementia).
CI_95_TEXT = "Confidence intervals overlapping reference value (95.0)"
COMPARISON_METHODS = {
    900003: "Confidence intervals overlapping reference value (99.8)",
    247: "Confidence intervals overlapping reference value (99.8)",
    93014: "Quintiles",
}
# illustrative peers for the quintile comparison: fictional London boroughs (codes no real
# place has), each with its own share of active adults
PEERS = [(f"E09000{900 + i}", f"Peer borough {chr(65 + i)} (demo)") for i in range(14)]
OUTCOME_LINKS = [
    ("OLDER", 900001, "outcome units", "older person supported to live at home"),
    ("OLDER", 22401, "main", None),
    ("OLDER", 900002, "supporting", None),
    ("OLDER", 900003, "supporting", None),
    ("SAFE", 900010, "outcome units", "anti-social behaviour case resolved"),
    ("SAFE", 900011, "main", None),
    ("HOMES", 900020, "outcome units", "council home meeting the Decent Homes Standard"),
    ("HOMES", 900021, "main", None),
    ("CHILD", 900030, "outcome units", "child with a good level of development at age 5"),
    ("CHILD", 90631, "main", None),
    ("HEALTH", 900040, "outcome units", "smoker who quit"),
    ("HEALTH", 92443, "main", None),
    ("HEALTH", 93014, "supporting", None),
    ("OLDER", 247, "supporting", None),
    ("CLEAN", 900050, "outcome units", "tonne of household waste recycled"),
    ("CLEAN", 900051, "main", None),
]
ESP_65 = {"65-69": 5500, "70-74": 5000, "75-79": 4000, "80-84": 2500, "85-89": 1500,
          "90+": 1000}
# relative falls-admission risk by age band (older bands fall far more)
FALL_RISK = {"65-69": 0.35, "70-74": 0.55, "75-79": 0.95, "80-84": 1.6, "85-89": 2.6,
             "90+": 3.6}
POP_65 = {  # population by age band, first year; grows slowly
    BOROUGH[0]: {"65-69": 8200, "70-74": 6900, "75-79": 4900, "80-84": 3500, "85-89": 2100,
                 "90+": 1100},
    LONDON[0]: {"65-69": 390000, "70-74": 330000, "75-79": 240000, "80-84": 170000,
                "85-89": 100000, "90+": 52000},
    ENGLAND[0]: {"65-69": 2900000, "70-74": 2800000, "75-79": 2000000, "80-84": 1450000,
                 "85-89": 850000, "90+": 520000},
}
TOTAL_POP = {BOROUGH[0]: 215000, LONDON[0]: 8900000, ENGLAND[0]: 56300000}


def _story(year_i: int) -> float:
    """Years since the luncheon-club cut took effect (0 before and in the cut year)."""
    return float(max(0, year_i - YEARS.index(CUT_YEAR)))


def _ft_row(ind, geo, period, value, ci95, ci998, count, denom, sex="Persons", age="All ages"):
    iid, name = ind[0], ind[1]
    parent = PARENTS.get(geo[0], LONDON)  # a peer borough is in London
    return [
        iid, name, parent[0], parent[1], geo[0], geo[1],
        AREA_TYPES.get(geo[0], AREA_TYPES[BOROUGH[0]]), sex, age, "", "",
        period, _fmt(value), _fmt(ci95[0]), _fmt(ci95[1]), _fmt(ci998[0]), _fmt(ci998[1]),
        _fmt(count, 0) if count is not None else "", _fmt(denom, 0) if denom is not None else "",
        "", "", "", "", f"{period[:4]}0000", "", "",
    ]


def _first(x) -> float:
    return float(np.asarray(x, dtype="float64").ravel()[0])


def _proportion_rows(ind, geo, period, num, den):
    pct = ind[3]
    lo95, hi95 = intervals.wilson([num], [den], confidence=0.95)
    lo998, hi998 = intervals.wilson([num], [den], confidence=0.998)
    return _ft_row(ind, geo, period, num / den * pct,
                   (_first(lo95) * pct, _first(hi95) * pct),
                   (_first(lo998) * pct, _first(hi998) * pct), num, den)


def _rate_rows(ind, geo, period, count, den, age="All ages"):
    mult = ind[3]
    v95 = tuple(intervals.rate([count], [den], multiplier=mult, confidence=0.95))
    v998 = tuple(intervals.rate([count], [den], multiplier=mult, confidence=0.998))
    return _ft_row(ind, geo, period, _first(v95[0]), (_first(v95[1]), _first(v95[2])),
                   (_first(v998[1]), _first(v998[2])), count, den, age=age)


def _count_rows(ind, geo, period, count, with_ci=True):
    if with_ci:
        lo95, hi95 = intervals.byar([count], confidence=0.95)
        lo998, hi998 = intervals.byar([count], confidence=0.998)
        ci95, ci998 = (_first(lo95), _first(hi95)), (_first(lo998), _first(hi998))
    else:
        ci95 = ci998 = (None, None)
    return _ft_row(ind, geo, period, count, ci95, ci998, count, None)


def _indicator_rows(rng: np.random.Generator, money: pd.DataFrame) -> dict[int, list[list]]:
    ind = {i[0]: i for i in INDICATORS}
    rows: dict[int, list[list]] = {i[0]: [] for i in INDICATORS}
    places = (BOROUGH, LONDON, ENGLAND)
    units = money.set_index(["service_code", "financial_year"])["units"]
    for i, year in enumerate(YEARS):
        s = _story(i)
        grow = 1 + 0.012 * i
        # falls admissions, DSR from age-band counts (Dobson, indicators.dsr)
        base = {BOROUGH[0]: 2080, LONDON[0]: 2010, ENGLAND[0]: 2110}
        trend = {BOROUGH[0]: 1 + 0.045 * s, LONDON[0]: 1 - 0.012 * i, ENGLAND[0]: 1 - 0.014 * i}
        for geo in places:
            pops = {b: p * grow for b, p in POP_65[geo[0]].items()}
            counts = {b: rng.poisson(base[geo[0]] * trend[geo[0]] / 1e5 * FALL_RISK[b] * p
                                     / 1.02) for b, p in pops.items()}
            c = np.array(list(counts.values()), dtype="float64")
            p = np.array(list(pops.values()), dtype="float64")
            w = np.array([ESP_65[b] for b in counts], dtype="float64")
            r95 = tuple(dsr_mod.dsr(c, p, w, multiplier=100000, confidence=0.95))
            r998 = tuple(dsr_mod.dsr(c, p, w, multiplier=100000, confidence=0.998))
            rows[22401].append(_ft_row(ind[22401], geo, year, _first(r95[0]),
                                       (_first(r95[1]), _first(r95[2])),
                                       (_first(r998[1]), _first(r998[2])), c.sum(), p.sum(),
                                       age="65+ yrs"))
            # A&E attendances after a fall, crude rate
            ae_rate = {BOROUGH[0]: 5200 * (1 + 0.05 * s), LONDON[0]: 5000 * (1 - 0.01 * i),
                       ENGLAND[0]: 5300 * (1 - 0.008 * i)}[geo[0]]
            rows[900002].append(_rate_rows(ind[900002], geo, year,
                                           float(rng.poisson(ae_rate / 1e5 * p.sum())), p.sum(),
                                           age="65+ yrs"))
            care = {BOROUGH[0]: 545 * (1 + 0.04 * max(0, s - 1)), LONDON[0]: 430,
                    ENGLAND[0]: 600 - 4 * i}[geo[0]]
            rows[900003].append(_rate_rows(ind[900003], geo, year,
                                           float(rng.poisson(care / 1e5 * p.sum())), p.sum(),
                                           age="65+ yrs"))
            pop = TOTAL_POP[geo[0]] * (1 + 0.006 * i)
            crime = {BOROUGH[0]: 96 - 1.2 * i + (2.5 if year >= "2021/22" else 0),
                     LONDON[0]: 92 - 0.8 * i, ENGLAND[0]: 82 - 0.5 * i}[geo[0]]
            rows[900011].append(_rate_rows(ind[900011], geo, year,
                                           float(rng.poisson(crime / 1000 * pop)), pop))
            homes = {BOROUGH[0]: 23000, LONDON[0]: 390000, ENGLAND[0]: 1580000}[geo[0]]
            nondecent = {BOROUGH[0]: 0.14 - 0.01 * i, LONDON[0]: 0.12 - 0.004 * i,
                         ENGLAND[0]: 0.11 - 0.003 * i}[geo[0]]
            nd = float(rng.binomial(int(homes), nondecent))
            rows[900021].append(_proportion_rows(ind[900021], geo, year, nd, homes))
            if geo == BOROUGH:
                rows[900020].append(_count_rows(ind[900020], geo, year, homes - nd))
            cohort = {BOROUGH[0]: 2300, LONDON[0]: 115000, ENGLAND[0]: 620000}[geo[0]]
            gld = {BOROUGH[0]: 0.695 + 0.004 * i, LONDON[0]: 0.735 - 0.002 * i,
                   ENGLAND[0]: 0.715 - 0.002 * i}[geo[0]]
            g = float(rng.binomial(cohort, gld))
            rows[90631].append(_proportion_rows(ind[90631], geo, year, g, cohort))
            if geo == BOROUGH:
                rows[900030].append(_count_rows(ind[900030], geo, year, g))
            sample = {BOROUGH[0]: 420, LONDON[0]: 14000, ENGLAND[0]: 150000}[geo[0]]
            smoke = {BOROUGH[0]: 0.168 - 0.006 * i, LONDON[0]: 0.145 - 0.004 * i,
                     ENGLAND[0]: 0.152 - 0.004 * i}[geo[0]]
            rows[92443].append(_proportion_rows(ind[92443], geo, year,
                                                float(rng.binomial(sample, smoke)), sample))
            active = {BOROUGH[0]: 0.64 + 0.003 * i, LONDON[0]: 0.655, ENGLAND[0]: 0.66}[geo[0]]
            asample = {BOROUGH[0]: 520, LONDON[0]: 16000, ENGLAND[0]: 170000}[geo[0]]
            rows[93014].append(_proportion_rows(ind[93014], geo, year,
                                                float(rng.binomial(asample, active)), asample))
            if geo == BOROUGH:
                transects = 1200
                clean = 0.90 - 0.002 * i
                rows[900051].append(_proportion_rows(
                    ind[900051], geo, year, float(rng.binomial(transects, clean)), transects))
            if geo == ENGLAND:
                rows[900051].append(_proportion_rows(
                    ind[900051], geo, year, float(rng.binomial(9800, 0.88)), 9800))
        # borough-only outcome counts
        helped = (units[("REABLE", year)] * 0.72 + units[("HOMECARE", year)] / 190
                  + units[("LUNCH", year)] * 0.9 + units[("FALLS", year)] * 0.6)
        rows[900001].append(_count_rows(ind[900001], BOROUGH, year,
                                        float(rng.poisson(helped))))
        rows[900010].append(_count_rows(ind[900010], BOROUGH, year,
                                        float(rng.poisson(units[("ASBTEAM", year)] * 0.82))))
        rows[900040].append(_count_rows(ind[900040], BOROUGH, year,
                                        float(rng.poisson(units[("SMOKING", year)] * 0.47))))
        recycled = units[("WASTE", year)] * (0.29 + 0.004 * i)
        rows[900050].append(_count_rows(ind[900050], BOROUGH, year, round(recycled),
                                        with_ci=False))
    return rows


def _comparison_rows(seed: int) -> dict[int, list[list]]:
    """Rows added for the comparison methods (dementia prevalence; the peer boroughs that
    physically active adults are ranked among), from their own random stream so that every
    other demo figure stays as it was."""
    rng = np.random.default_rng(seed + 14)
    ind = {i[0]: i for i in INDICATORS}
    rows: dict[int, list[list]] = {247: [], 93014: []}
    for i, year in enumerate(YEARS):
        for geo in (BOROUGH, LONDON, ENGLAND):
            older = sum(POP_65[geo[0]].values()) * (1 + 0.012 * i)
            rate = {BOROUGH[0]: 0.049 + 0.0006 * i, LONDON[0]: 0.038 + 0.0004 * i,
                    ENGLAND[0]: 0.043 + 0.0004 * i}[geo[0]]
            rows[247].append(_proportion_rows(ind[247], geo, year,
                                              float(rng.binomial(int(older), rate)), older))
        for k, geo in enumerate(PEERS):
            sample = 480 + 10 * k
            active = 0.60 + 0.007 * k + 0.002 * i
            rows[93014].append(_proportion_rows(ind[93014], geo, year,
                                                float(rng.binomial(sample, active)), sample))
    return rows


def _mapping_yaml() -> dict:
    return {
        "organisations": ORGANISATIONS,
        "departments": DEPARTMENTS,
        "areas": AREAS,
        "places": [
            {"code": BOROUGH[0], "name": BOROUGH[1], "role": "borough"},
            {"code": LONDON[0], "name": LONDON[1], "role": "region"},
            {"code": ENGLAND[0], "name": ENGLAND[1], "role": "country"},
        ],
        "services": [
            {"code": s.code, "department": s.dept, "name": s.name, "statutory": s.statutory,
             "sercop": s.sercop, "activity_unit": s.unit, "areas": dict(s.areas)}
            for s in SERVICES
        ],
        "spend_mapping": [
            {"department": next(d["name"] for d in DEPARTMENTS if d["code"] == s.dept),
             "service_area": s.service_area, "service": s.code}
            for s in SERVICES
        ],
        "outcome_links": [
            {"area": a, "indicator": i, "role": r, "unit_label": u} for a, i, r, u in OUTCOME_LINKS
        ],
    }


def generate(outdir: Path, seed: int = SEED) -> Path:
    """Write every demo source file under ``outdir``; the same seed gives the same bytes."""
    outdir = Path(outdir)
    rng = np.random.default_rng(seed)
    money = _service_money(rng)
    (outdir / "mapping").mkdir(parents=True, exist_ok=True)
    header = (f"# Northbridge (demo) mapping. {ILLUSTRATIVE}\n"
              "# Format: docs/source-formats.md. Codes are keys; names are for display.\n")
    (outdir / "mapping" / "mapping.yaml").write_text(
        header + yaml.safe_dump(_mapping_yaml(), sort_keys=False, allow_unicode=True),
        encoding="utf-8")
    _write_csv(outdir / "indicators" / "indicator_metadata.csv",
               ["IndicatorID", "IndicatorName", "ValueType", "Multiplier", "Polarity", "Unit",
                "Source", "Licence", "BenchmarkComparisonMethod"],
               [[i[0], i[1], i[2], i[3], i[4], i[5], i[6], "Open Government Licence v3.0",
                 COMPARISON_METHODS.get(i[0], CI_95_TEXT)] for i in INDICATORS])
    _write_csv(outdir / "unit_costs.csv",
               ["Cost Item", "Label", "Payer Code", "Unit Cost", "Low", "High", "Price Year",
                "Source"],
               [[c[0], c[1], c[2], _money(c[3]), _money(c[4]), _money(c[5]), PRICE_YEAR, c[6]]
                for c in UNIT_COSTS])
    svc_cost = {s.code: s.unit_cost * _pay_index(len(YEARS) - 1) for s in SERVICES}
    units = {s.code: s.unit for s in SERVICES}
    _write_csv(outdir / "mapping" / "spillover_links.csv",
               ["link_id", "service_code", "activity_unit", "activity_unit_cost_gbp",
                "outcome_code", "outcome_label", "events_per_unit", "effect_ratio",
                "effect_ratio_low", "effect_ratio_high", "cost_item", "payer_code", "lag_years",
                "drop_off", "evidence_grade", "source"],
               [[lk[0], lk[1], units[lk[1]], _money(svc_cost[lk[1]]), lk[2], lk[3], lk[4], lk[5],
                 lk[6], lk[7], lk[8], next(c[2] for c in UNIT_COSTS if c[0] == lk[8]), lk[9],
                 lk[10], lk[11], lk[12]] for lk in LINKS])
    budget_rows = []
    for r in money.itertuples():
        budget_rows.append([r.financial_year, r.service_code, "approved", _money(r.approved),
                            "yes"])
        budget_rows.append([r.financial_year, r.service_code, "outturn", _money(r.outturn),
                            "yes"])
    latest = money[money.financial_year == YEARS[-1]]
    for r in latest.itertuples():
        draft = r.outturn * 1.03 * (0.6 if r.service_code == "LUNCH" else 1.0)
        budget_rows.append([DRAFT_YEAR, r.service_code, "draft", _money(draft), "no"])
    _write_csv(outdir / "budget" / "budget_book.csv",
               ["Financial Year", "Service Code", "Version", "Amount", "Published"], budget_rows)
    _write_csv(outdir / "activity" / "service_activity.csv",
               ["Financial Year", "Service Code", "Activity Unit", "Units"],
               [[r.financial_year, r.service_code, units[r.service_code], _fmt(r.units, 0)]
                for r in money.itertuples()])
    by_svc = {s.code: s for s in SERVICES}
    for year in YEARS:
        rows = []
        for r in money[money.financial_year == year].itertuples():
            rows.extend(_spend_rows(by_svc[r.service_code], year, r.outturn, rng))
        _write_csv(outdir / "spend" / f"spend_over_500_{year.replace('/', '-')}.csv",
                   SPEND_HEADER, rows)
    indicator_rows = _indicator_rows(rng, money)
    for iid, extra in _comparison_rows(seed).items():
        indicator_rows[iid] = indicator_rows[iid] + extra
    for iid, rows in indicator_rows.items():
        _write_csv(outdir / "indicators" / f"fingertips_{iid}.csv", FT_HEADER, rows)
    _write_csv(outdir / "scenarios" / "published_scenarios.csv",
               ["scenario_id", "name", "description", "owner", "created_at", "service_code",
                "change_type", "change_value"],
               [["close-luncheon-clubs", "Close the luncheon clubs",
                 "Stop funding every remaining luncheon club for older people from April.",
                 "demo", "2025-01-15", "LUNCH", "percent", "-100"],
                ["expand-falls-prevention", "Expand falls prevention by half",
                 "Half as many strength and balance course places again.", "demo", "2025-01-15",
                 "FALLS", "percent", "50"]])
    (outdir / "README.txt").write_text(
        f"Northbridge (demo) source files, seed {seed}. {ILLUSTRATIVE}\n", encoding="utf-8")
    return outdir
