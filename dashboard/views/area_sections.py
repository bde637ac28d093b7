"""The investment area page's sections for one view: chart blocks, the indicators table and the
supplier drill-down, as plain values (figure dicts, frames, sentences).

Each section is cached by the parts of the view it depends on, not by the whole view: a reader
who asks for a combination nobody asked for before still finds most of the page made (a new
year, say, needs its own headline, cost title and tables, not a new spend chart)."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from dashboard import data, figures
from dashboard.views import area as av
from dashboard.views.blocks import ChartBlock, csv_url
from dashboard.views.format import (
    BENCHMARK_OPTIONS,
    BENCHMARK_WORDS,
    LEVEL_WORDS,
    TREND,
    comparison_badge,
    display_table,
    money,
    number,
    plain,
)

PREFIX = av.PREFIX
COST_BLOCK = f"{PREFIX}-cost"
SPEND_BLOCK = f"{PREFIX}-spend"
INDICATORS_TABLE = f"{PREFIX}-indicators"
TRENDS_BLOCK = f"{PREFIX}-trends"
SERVICES_BLOCK = f"{PREFIX}-services"
EXPENSE_BLOCK = f"{PREFIX}-expense-types"
SUPPLIERS_BLOCK = f"{PREFIX}-suppliers"


def comparison(label: str | None, benchmark: str = "England", kind: str = "interval",
               level: float = 0.95, polarity: str | None = None) -> dict:
    """A benchmark comparison by the indicator's own method as a badge: css class, symbol,
    words and the method named beside them (never colour alone)."""
    return comparison_badge(label, benchmark, kind, level, polarity)


def trend(label: str | None) -> dict:
    """The recent-trend marker: css class, arrow and the Fingertips words."""
    if not isinstance(label, str) or label not in TREND:
        return {"css": "trend-none", "symbol": "–", "words": "not enough data"}
    css, symbol = TREND[label]
    return {"css": css, "symbol": symbol, "words": label}


@data.memoize  # the figure and table are the same in every year: cached without it
def _cost_chart(area: str, terms: str) -> ChartBlock:
    df = av.costs(area, terms)
    unit = df["outcome_unit_label"].iloc[-1]
    fig = figures.cost_per_outcome(df["financial_year"], df["cost_per_outcome_gbp"],
                                   df["cost_per_outcome_lower_gbp"],
                                   df["cost_per_outcome_upper_gbp"], f"Cost per {unit}")
    return ChartBlock(COST_BLOCK, "", "", plain(fig), display_table(av.cost_table(area, terms)),
                      csv_url("area-cost", {"area": area, "terms": terms}))


def cost_block(view: av.View, summary: str) -> ChartBlock:
    """Cost per outcome over the years, titled with the chosen year's figure."""
    df = av.costs(view.area, view.terms)
    row = df[df["financial_year"] == view.year].iloc[0]
    words = av.terms_phrase(view.terms, row["real_terms_base_year"])
    title = (f"Cost per {row['outcome_unit_label']}: {money(row['cost_per_outcome_gbp'])} in "
             f"{view.year} ({words})")
    # why there is, or is not, an interval
    return replace(_cost_chart(view.area, view.terms), title=title,
                   summary=f"{summary} {row['interval_note']}")


@data.memoize  # public figures: the same for every reader, keyed by area and terms
def spend_block(area: str, terms: str) -> ChartBlock:
    view = av.View(area, "", terms)
    df = av.costs(view.area, view.terms)
    first, last = df.iloc[0], df.iloc[-1]
    words = av.terms_phrase(view.terms, last["real_terms_base_year"])
    unit = last["outcome_unit_label"]

    def growth(col: str) -> float | None:
        a, b = first[col], last[col]
        return None if pd.isna(a) or pd.isna(b) or a == 0 else (b / a - 1) * 100

    s, u = growth("allocated_spend_gbp"), growth("outcome_units")
    s_words = av.change_words(s) or "cannot be compared"
    u_words = av.change_words(u) or "cannot be compared"
    title = (f"From {first['financial_year']} to {last['financial_year']} spend "
             f"{s_words} ({words}) while outcomes {u_words}")
    summary = (f"Allocated spend went from {money(first['allocated_spend_gbp'])} to "
               f"{money(last['allocated_spend_gbp'])} ({words}); outcomes counted "
               f"({unit}) went from {number(first['outcome_units'])} to "
               f"{number(last['outcome_units'])}.")
    fig = figures.spend_and_units(df["financial_year"], df["allocated_spend_gbp"],
                                  df["outcome_units"], f"Allocated spend ({words})",
                                  f"Outcomes ({unit})")
    return ChartBlock(SPEND_BLOCK, title, summary, plain(fig),
                      display_table(av.spend_units_table(view.area, view.terms)),
                      csv_url("area-spend-units", {"area": view.area, "terms": view.terms}))


def _numbers(values: pd.Series) -> list[float | None]:
    """Plain floats with None for gaps (JSON has no NaN)."""
    return [None if pd.isna(v) else float(v) for v in values]


def _indicator_rows(view: av.View, latest: pd.DataFrame, periods: pd.DataFrame) -> list[dict]:
    rows = []
    histories = dict(tuple(periods.groupby("indicator_id", sort=False)))
    for r in latest.itertuples():
        history = histories[r.indicator_id]
        rows.append({
            "id": r.indicator_id, "name": r.indicator_name,
            "role": f"{av.ROLE_WORDS.get(r.role, r.role)} · {r.unit_label}",
            "period": r.period, "count": number(r.numerator), "value": number(r.value, 1),
            "interval": ("–" if pd.isna(r.lower_ci) else
                         f"{number(r.lower_ci, 1)} to {number(r.upper_ci, 1)}"),
            "benchmark_value": number(r.benchmark_value, 1),
            "comparison": comparison(r.comparison, BENCHMARK_WORDS[view.benchmark],
                                     r.comparison_method, r.comparison_level, r.polarity),
            "trend": trend(r.trend),
            # drawn by charts.js as a small trend line; decorative: the row gives the trend
            # in words, and every period is in the table and CSV below
            "spark": {"values": _numbers(history["value"]),
                      "benchmark": _numbers(history["benchmark_value"])},
        })
    return rows


@data.memoize  # public figures: the same for every reader, keyed by what they depend on
def indicators(area: str, benchmark: str, level: str, year: str) -> dict:
    view = av.View(area, year, "cash", benchmark, level)
    periods = av.indicator_periods(view.area, view.benchmark, view.level)
    latest = av.latest_indicators(area, benchmark, level, year)
    bench = BENCHMARK_WORDS[view.benchmark]
    level = LEVEL_WORDS[view.level]
    n_worse = int(latest["comparison"].eq("worse").sum())
    n_worsening = int(latest["trend"].fillna("").str.endswith("getting worse").sum())
    summary = (f"{len(latest)} indicators measure this area. Each is compared with {bench} "
               "by its own method, as Fingertips does (a 95% or 99.8% interval, or its "
               f"quintile among areas; no better or worse without a polarity): {n_worse} "
               f"{'is' if n_worse == 1 else 'are'} significantly worse than {bench}, and "
               f"{n_worsening} {'is' if n_worsening == 1 else 'are'} getting significantly worse "
               "(Fingertips' test for trend on the latest five points). The dotted line in each "
               "small chart is the benchmark.")
    params = {"area": view.area, "benchmark": view.benchmark, "level": view.level}
    return {
        "id": INDICATORS_TABLE, "summary": summary,
        "columns": ["Indicator", "Period", "Count", "Value", f"{level} interval",
                    f"{dict(BENCHMARK_OPTIONS)[view.benchmark]} value",
                    f"Compared with {bench} (its method)", "Recent trend", "Trend"],
        "caption": (f"Indicators for this area compared with {bench} by each one's own method "
                    f"({level} intervals shown)"),
        "rows": _indicator_rows(view, latest, periods),
        "csv": csv_url("area-indicators", {**params, "year": view.year}),
        "trends": trends_block(**params),
    }


@data.memoize  # the same in every year: keyed by area and comparison only
def trends_block(area: str, benchmark: str, level: str) -> ChartBlock:
    params = {"area": area, "benchmark": benchmark, "level": level}
    return ChartBlock(
        TRENDS_BLOCK, "Every period behind the small trend charts",
        f"Each indicator's value, {LEVEL_WORDS[level]} interval and "
        f"{BENCHMARK_WORDS[benchmark]} value in every period.",
        None, display_table(av.indicator_trend_table(**params)),
        csv_url("area-indicator-trends", params))


@data.memoize  # public figures: the same for every reader, keyed by area and year
def services_block(area: str, year: str) -> ChartBlock:
    view = av.View(area, year)
    df = av.services(view.area, view.year)
    statutory = df["statutory"].astype(bool)
    labels = [f"{n} ({'statutory' if s else 'non-statutory'})"
              for n, s in zip(df["service_name"], statutory, strict=True)]
    total = df["allocated_spend_gbp"].sum()
    budget, outturn = df["allocated_budget_gbp"].sum(), df["allocated_outturn_gbp"].sum()
    non_stat = df.loc[~statutory, "service_name"].tolist()
    gap = (outturn / budget - 1) * 100 if budget else float("nan")
    over = (f"{abs(gap):.1f}% {'over' if gap > 0 else 'under'} budget"
            if pd.notna(gap) else "no budget recorded")
    title = (f"{len(df)} services fund this area: outturn {money(outturn)} against a budget of "
             f"{money(budget)} in {view.year} ({over})")
    share = df.loc[statutory, "allocated_spend_gbp"].sum() / total * 100 if total else 0
    summary = (f"Statutory services take {share:.0f}% of the {money(total)} allocated to this "
               f"area (cash). Non-statutory: {', '.join(non_stat) if non_stat else 'none'}. "
               "Bars show each service's budget and outturn times its allocation share; "
               "non-statutory services are hatched.")
    fig = figures.budget_outturn(labels, df["allocated_budget_gbp"], df["allocated_outturn_gbp"],
                                 statutory)
    return ChartBlock(SERVICES_BLOCK, title, summary, plain(fig),
                      display_table(av.services_table(view.area, view.year)),
                      csv_url("area-services", {"area": view.area, "year": view.year}))


@data.memoize  # public figures: the same for every reader, keyed by area, year and service
def suppliers(area: str, year: str, service: str) -> dict | None:
    """Where the chosen service spent its money: a heading, a message or two chart blocks."""
    if not service:
        return None
    view = av.View(area, year, service=service)
    services = av.services(view.area, view.year)
    row = services[services["service_code"] == view.service].iloc[0]
    params = {"service": view.service, "year": view.year}
    kinds = av.expense_type_table(**params)
    if kinds.empty:
        return {"message": f"{row['service_name']} made no payments over £500 in {view.year}.",
                "blocks": []}
    top_suppliers = av.supplier_table(**params)
    total = kinds["spend_gbp"].sum()
    scope = (f"Payments over £500 from the council's spend file: the whole service, of which "
             f"{row['share'] * 100:.0f}% is allocated to this area.")
    top_kind, top = kinds.iloc[0], top_suppliers.iloc[0]
    return {"heading": f"Where {row['service_name']} spent its money", "blocks": [
        ChartBlock(
            EXPENSE_BLOCK,
            f"{row['service_name']}: {top_kind['expense_type']} is the largest expense type, "
            f"{money(top_kind['spend_gbp'])} of {money(total)} in {view.year}",
            scope, plain(figures.bars(kinds["expense_type"], kinds["spend_gbp"])),
            display_table(kinds), csv_url("service-expense-types", params)),
        ChartBlock(
            SUPPLIERS_BLOCK,
            f"{row['service_name']}: {top['supplier']} received the most, "
            f"{money(top['spend_gbp'])} in {view.year}",
            f"The {len(top_suppliers)} largest suppliers by spend. {scope}",
            plain(figures.bars(top_suppliers["supplier"], top_suppliers["spend_gbp"],
                               figures.GREEN)),
            display_table(top_suppliers), csv_url("service-suppliers", params)),
    ]}


def page(area: str, query: dict) -> dict:
    """Everything the area page shows for ``area`` (checked) and the link's ``query``."""
    view, notes = av.view_from_query(area, query)
    areas = data.query("area_codes")
    info = areas[areas["area_code"] == area].iloc[0]
    services = av.services(area, view.year)
    text = av.headline(view)
    return {
        "view": view, "notes": notes, "name": info["area_name"],
        "statement": info["outcome_statement"], "headline": text,
        "years": list(reversed(av.years(area, view.terms))),
        "services": list(zip(services["service_code"], services["service_name"], strict=True)),
        "cost": cost_block(view, text), "spend": spend_block(area, view.terms),
        "indicators": indicators(area, view.benchmark, view.level, view.year),
        "services_block": services_block(area, view.year),
        "suppliers": suppliers(area, view.year, view.service),
    }
