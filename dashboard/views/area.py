"""Investment area: what one outcome area's money buys, how its indicators stand, who it pays.

The view's state lives in the URL (``/area/OLDER?year=2023/24&terms=real&benchmark=england
&level=95&service=LUNCH``): ``view_from_query`` reads it, checking every value against an
allow-list (an off-list value is replaced by the default, with a note). The tables here are
what each chart shows and what its CSV serves; ``area_sections`` builds the page's sections.
"""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd

from dashboard import data, downloads
from dashboard.views.format import (
    BENCHMARK_OPTIONS,
    BENCHMARK_WORDS,
    LEVEL_OPTIONS,
    indicator_value_columns,
    money,
    with_comparison_labels,
)
from dashboard.views.links import apply_checks

PREFIX = "area"
TERMS_OPTIONS = [("cash", "Cash"), ("real", "Real terms")]
ROLE_WORDS = {"main": "main outcome", "supporting": "supporting",
              "outcome units": "outcome count"}


def title(area_code: str) -> str:
    areas = data.query("area_codes")
    names = dict(zip(areas["area_code"], areas["area_name"], strict=True))
    return names.get(area_code, "Investment area")


# ---- state and allow-lists -------------------------------------------------------------

class View(NamedTuple):
    # a NamedTuple: hashable, a plain value for the cache key
    area: str
    year: str
    terms: str = "cash"
    benchmark: str = "england"
    level: str = "95"
    service: str = ""


def _choice(value, options: list[tuple[str, str]]) -> str:
    return data.one_of(value, dict(options), "choice")


def check_area(value) -> str:
    return data.one_of(value, data.allowed("area_codes", "area_code"), "area")


def costs(area: str, terms: str) -> pd.DataFrame:
    return data.query("area_cost_per_outcome", area_code=area, terms=terms)


def years(area: str, terms: str = "cash") -> list[str]:
    # the years are the same in either terms; asking with the view's terms saves a query
    return costs(area, terms)["financial_year"].tolist()


def _year(area: str, value, terms: str = "cash") -> str:
    return data.one_of(value, years(area, terms), "year with figures")


def default_year(area: str, terms: str = "cash") -> str:
    df = costs(area, terms)
    with_units = df[df["cost_per_outcome_gbp"].notna()]
    return str((with_units if len(with_units) else df)["financial_year"].iloc[-1])


def services(area: str, year: str) -> pd.DataFrame:
    return data.query("area_service_spend", area_code=area, year=year)


def _service(area: str, year: str, value) -> str:
    if value in (None, ""):
        return ""
    return data.one_of(value, set(services(area, year)["service_code"]),
                       "service funding this area")


def _spend_service(value) -> str:
    return data.one_of(value, data.allowed("service_codes", "service_code"), "service")


def _spend_year(value) -> str:
    return data.one_of(value, data.allowed("financial_years", "financial_year"), "year")


def view_from_query(area: str, query: dict) -> tuple[View, list[str]]:
    """The view a link asks for; off-list values fall back to the default, with a note each."""
    notes = []
    terms = "cash"
    if "terms" in query:
        try:
            terms = _choice(query["terms"], TERMS_OPTIONS)
        except ValueError:
            notes.append(f"The link's terms “{str(query['terms'])[:40]}” is not one this page "
                         "offers, so the default (cash) is shown.")
    view, more = apply_checks(View(area, default_year(area, terms), terms), query, [
        ("year", lambda v: _year(area, v, terms)),
        ("benchmark", lambda v: _choice(v, BENCHMARK_OPTIONS)),
        ("level", lambda v: _choice(v, LEVEL_OPTIONS))])
    notes += more
    if "service" in query:
        try:
            view = view._replace(service=_service(area, view.year, query["service"]))
        except ValueError:
            notes.append(f"The link's service “{str(query['service'])[:40]}” does not fund this "
                         "area, so no service is open.")
    return view, notes


# ---- tables: exactly what each chart shows, and what its CSV serves ----------------------

def _terms_words(terms: str, base_year: str) -> str:
    return f"real terms ({base_year} prices)" if terms == "real" else "cash"


def terms_phrase(terms: str, base_year: str) -> str:
    return f"real terms at {base_year} prices" if terms == "real" else "cash"


def _validate_area_terms(area="", terms="") -> dict:
    return {"area": check_area(area), "terms": _choice(terms, TERMS_OPTIONS)}


@downloads.dataset("area-cost", ("area", "terms"), _validate_area_terms)
def cost_table(area: str, terms: str) -> pd.DataFrame:
    df = costs(area, terms)
    return pd.DataFrame({
        "financial_year": df["financial_year"],
        "terms": [_terms_words(terms, b) for b in df["real_terms_base_year"]],
        "outcome_unit": df["outcome_unit_label"],
        "cost_per_outcome_gbp": df["cost_per_outcome_gbp"].round(2),
        "lower95_gbp": df["cost_per_outcome_lower_gbp"].round(2),
        "upper95_gbp": df["cost_per_outcome_upper_gbp"].round(2),
        "change_on_last_year_pct": df["cost_per_outcome_change_pct"].round(1),
    })


@downloads.dataset("area-spend-units", ("area", "terms"), _validate_area_terms)
def spend_units_table(area: str, terms: str) -> pd.DataFrame:
    df = costs(area, terms)
    return pd.DataFrame({
        "financial_year": df["financial_year"],
        "terms": [_terms_words(terms, b) for b in df["real_terms_base_year"]],
        "allocated_spend_gbp": df["allocated_spend_gbp"].round(2),
        "spend_change_pct": df["allocated_spend_change_pct"].round(1),
        "outcome_unit": df["outcome_unit_label"],
        "outcome_units": df["outcome_units"],
        "outcome_units_change_pct": df["outcome_units_change_pct"].round(1),
    })


def indicator_periods(area: str, benchmark: str, level: str) -> pd.DataFrame:
    """Every period of the area's indicators; ``comparison`` by each indicator's own method,
    a quintile saying so ("better quintile")."""
    df = data.query("area_indicator_periods", area_code=area, benchmark=benchmark, level=level)
    return with_comparison_labels(df)


def latest(df: pd.DataFrame, year: str) -> pd.DataFrame:
    """Each indicator's latest period up to the chosen year (its latest, if none is that early)."""
    upto = df[df["period"] <= year]
    rest = df[~df["indicator_id"].isin(upto["indicator_id"])]
    both = pd.concat([upto, rest])
    order = {iid: i for i, iid in enumerate(dict.fromkeys(df["indicator_id"]))}
    picked = both.groupby("indicator_id", sort=False).tail(1)
    return picked.sort_values("indicator_id", key=lambda s: s.map(order)).reset_index(drop=True)


@data.memoize  # a frame, shared by every view with this area, comparison and year
def latest_indicators(area: str, benchmark: str, level: str, year: str) -> pd.DataFrame:
    """Each indicator of the area at its latest period up to ``year``, compared as asked."""
    return latest(indicator_periods(area, benchmark, level), year)


def _validate_indicators(area="", benchmark="", level="", year="") -> dict:
    area = check_area(area)
    return {"area": area, "benchmark": _choice(benchmark, BENCHMARK_OPTIONS),
            "level": _choice(level, LEVEL_OPTIONS), "year": _year(area, year)}


@downloads.dataset("area-indicators", ("area", "benchmark", "level", "year"),
                   _validate_indicators)
def indicator_table(area: str, benchmark: str, level: str, year: str) -> pd.DataFrame:
    df = latest_indicators(area, benchmark, level, year)
    return pd.DataFrame({
        "indicator_id": df["indicator_id"],
        "indicator": df["indicator_name"],
        "role": df["role"].map(ROLE_WORDS).fillna(df["role"]),
        "period": df["period"],
        "unit": df["unit_label"],
        "count": df["numerator"],
        **indicator_value_columns(df, level, benchmark),
        "recent_trend": df["trend"].fillna("cannot be calculated"),
    })


def _validate_trends(area="", benchmark="", level="") -> dict:
    return {"area": check_area(area), "benchmark": _choice(benchmark, BENCHMARK_OPTIONS),
            "level": _choice(level, LEVEL_OPTIONS)}


@downloads.dataset("area-indicator-trends", ("area", "benchmark", "level"), _validate_trends)
def indicator_trend_table(area: str, benchmark: str, level: str) -> pd.DataFrame:
    df = indicator_periods(area, benchmark, level)
    return pd.DataFrame({
        "indicator_id": df["indicator_id"],
        "indicator": df["indicator_name"],
        "period": df["period"],
        **indicator_value_columns(df, level, benchmark),
    })


def _validate_services(area="", year="") -> dict:
    area = check_area(area)
    return {"area": area, "year": _year(area, year)}


@downloads.dataset("area-services", ("area", "year"), _validate_services)
def services_table(area: str, year: str) -> pd.DataFrame:
    df = services(area, year)
    return pd.DataFrame({
        "service_code": df["service_code"],
        "service": df["service_name"],
        "department": df["dept_name"],
        "statutory": df["statutory"].map({True: "statutory", False: "non-statutory"}),
        "allocation_share_pct": (df["share"] * 100).round(1),
        "allocated_spend_gbp": df["allocated_spend_gbp"].round(2),
        "allocated_spend_real_gbp": df["allocated_spend_real_gbp"].round(2),
        "allocated_budget_gbp": df["allocated_budget_gbp"].round(2),
        "allocated_outturn_gbp": df["allocated_outturn_gbp"].round(2),
        "outturn_minus_budget_gbp": (df["allocated_outturn_gbp"]
                                     - df["allocated_budget_gbp"]).round(2),
    })


def _validate_service_year(service="", year="") -> dict:
    return {"service": _spend_service(service), "year": _spend_year(year)}


def _payments(service: str, year: str, by: str) -> pd.DataFrame:
    """A service's payments in a year summed by ``by`` (supplier_name or expense_type), largest
    first; from one query of the supplier x expense type mart (one query, not two)."""
    df = data.query("service_suppliers", service_code=service, year=year)
    out = df.groupby(by, sort=False, as_index=False).agg(
        spend_gbp=("spend_gbp", "sum"), payments=("n_payments", "sum"))
    return out.sort_values(["spend_gbp", by], ascending=[False, True], kind="stable",
                           ignore_index=True)


@downloads.dataset("service-expense-types", ("service", "year"), _validate_service_year)
def expense_type_table(service: str, year: str) -> pd.DataFrame:
    df = _payments(service, year, "expense_type")
    return pd.DataFrame({"expense_type": df["expense_type"],
                         "spend_gbp": df["spend_gbp"].round(2),
                         "payments": df["payments"].astype(int)})


TOP_SUPPLIERS = 10


@downloads.dataset("service-suppliers", ("service", "year"), _validate_service_year)
def supplier_table(service: str, year: str) -> pd.DataFrame:
    df = _payments(service, year, "supplier_name").head(TOP_SUPPLIERS)
    return pd.DataFrame({"supplier": df["supplier_name"],
                         "spend_gbp": df["spend_gbp"].round(2),
                         "payments": df["payments"].astype(int)})


# ---- words -----------------------------------------------------------------------------

def change_words(pct: float | None) -> str:
    if pct is None or pd.isna(pct):
        return ""
    if abs(pct) < 0.05:
        return "was unchanged"
    size = f"{abs(pct):.0f}" if abs(pct) >= 10 else f"{abs(pct):.1f}"
    return f"{'rose' if pct > 0 else 'fell'} {size}%"


def names(items: list[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


@data.memoize  # public figures: the same for every user, keyed by the view
def headline(view: View) -> str:
    """The finding in one sentence: cost per outcome and its change, and the indicators that are
    significantly worse than the benchmark or significantly getting worse."""
    df = costs(view.area, view.terms)
    row = df[df["financial_year"] == view.year].iloc[0]
    terms = "real terms" if view.terms == "real" else "cash terms"
    unit = row["outcome_unit_label"]
    if pd.isna(row["cost_per_outcome_gbp"]):
        first = f"There is no count of outcomes for {view.year}, so no cost per outcome"
    else:
        change = change_words(row["cost_per_outcome_change_pct"])
        value = money(row["cost_per_outcome_gbp"])
        first = (f"Cost per {unit} {change} in {terms} to {value} in {view.year}" if change
                 else f"Cost per {unit} was {value} in {view.year} in {terms}")
    ind = latest_indicators(view.area, view.benchmark, view.level, view.year)
    worse = ind["comparison"].eq("worse")  # significantly worse, by its own interval method
    worsening = ind["trend"].fillna("").str.endswith("getting worse")
    bench = BENCHMARK_WORDS[view.benchmark]
    groups = [
        (worse & worsening, f"significantly worse than {bench} and getting worse"),
        (worse & ~worsening, f"significantly worse than {bench}"),
        (~worse & worsening, "getting significantly worse"),
    ]
    parts = [f"{words}: {names(ind.loc[mask, 'indicator_name'].tolist())}"
             for mask, words in groups if mask.any()]
    if not parts:
        parts = [f"no indicator is significantly worse than {bench} (each by its own method) "
                 "or getting significantly worse"]
    return f"{first}; " + "; ".join(parts) + "."


