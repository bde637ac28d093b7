"""Investment area: what one outcome area's money buys, how its indicators stand, who it pays.

The view's state lives in the URL (``/area/OLDER?year=2023/24&terms=real&benchmark=england
&level=95&service=LUNCH``): ``layout`` renders it on the server (``static_pages``), the
controls are a GET form whose "Show" button asks for the new view's URL, so a copied link
reproduces the view. Every value is checked against an allow-list; an off-list value is
replaced by the default with a note.
"""

from __future__ import annotations

from typing import NamedTuple
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from dashboard import data, downloads, figures
from dashboard.components import (
    BENCHMARK_OPTIONS,
    BENCHMARK_WORDS,
    LEVEL_OPTIONS,
    LEVEL_WORDS,
    chart_block,
    comparison_badge,
    display_table,
    indicator_value_columns,
    money,
    not_found,
    number,
    radio_group,
    select_control,
    trend_marker,
)

PREFIX = "area"
# component ids, each written once
TITLE = f"{PREFIX}-title"
HEADLINE = f"{PREFIX}-headline"
NOTE = f"{PREFIX}-note"
CONTROLS = f"{PREFIX}-controls"
YEAR = f"{PREFIX}-year"
TERMS = f"{PREFIX}-terms"
BENCHMARK = f"{PREFIX}-benchmark"
LEVEL = f"{PREFIX}-level"
SERVICE = f"{PREFIX}-service"
COST_SLOT = f"{PREFIX}-cost-slot"
SPEND_SLOT = f"{PREFIX}-spend-slot"
INDICATORS_SLOT = f"{PREFIX}-indicators-slot"
SERVICES_SLOT = f"{PREFIX}-services-slot"
SUPPLIERS_SLOT = f"{PREFIX}-suppliers-slot"
COST_BLOCK = f"{PREFIX}-cost"
SPEND_BLOCK = f"{PREFIX}-spend"
INDICATORS_TABLE = f"{PREFIX}-indicators"
TRENDS_BLOCK = f"{PREFIX}-trends"
SERVICES_BLOCK = f"{PREFIX}-services"
EXPENSE_BLOCK = f"{PREFIX}-expense-types"
SUPPLIERS_BLOCK = f"{PREFIX}-suppliers"

TERMS_OPTIONS = [("cash", "Cash"), ("real", "Real terms")]
ROLE_WORDS = {"main": "main outcome", "supporting": "supporting",
              "outcome units": "outcome count"}


def _title(area_code=None, **_) -> str:
    areas = data.query("area_codes")
    names = dict(zip(areas["area_code"], areas["area_name"], strict=True))
    name = names.get(area_code, "Investment area") if isinstance(area_code, str) else (
        "Investment area")
    return f"{name} — Outcomes Budget Dashboard"


dash.register_page(__name__, path_template="/area/<area_code>", title=_title, order=1,
                   name="Investment area",
                   # the GET form of the server-rendered page: control id -> query parameter
                   static_form={YEAR: "year", TERMS: "terms", BENCHMARK: "benchmark",
                                LEVEL: "level", SERVICE: "service"},
                   static_anchor=CONTROLS,  # after "Show", back where the reader was
                   server_rendered=("public", "internal"),  # HTML in both: no callbacks
                   shared_cache=True)  # the same for every reader: see static_pages


# ---- state and allow-lists -------------------------------------------------------------

class View(NamedTuple):
    # a NamedTuple, not a dataclass: Dash runs page modules before they are in sys.modules
    area: str
    year: str
    terms: str = "cash"
    benchmark: str = "england"
    level: str = "95"
    service: str = ""


def _choice(value, options: list[tuple[str, str]]) -> str:
    return data.one_of(value, dict(options), "choice")


def _area(value) -> str:
    return data.one_of(value, data.allowed("area_codes", "area_code"), "area")


def _costs(area: str, terms: str) -> pd.DataFrame:
    return data.query("area_cost_per_outcome", area_code=area, terms=terms)


def _years(area: str, terms: str = "cash") -> list[str]:
    # the years are the same in either terms; asking with the view's terms saves a query
    return _costs(area, terms)["financial_year"].tolist()


def _year(area: str, value, terms: str = "cash") -> str:
    return data.one_of(value, _years(area, terms), "year with figures")


def _default_year(area: str, terms: str = "cash") -> str:
    df = _costs(area, terms)
    with_units = df[df["cost_per_outcome_gbp"].notna()]
    return str((with_units if len(with_units) else df)["financial_year"].iloc[-1])


def _services(area: str, year: str) -> pd.DataFrame:
    return data.query("area_service_spend", area_code=area, year=year)


def _service(area: str, year: str, value) -> str:
    if value in (None, ""):
        return ""
    return data.one_of(value, set(_services(area, year)["service_code"]),
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
    view = View(area, _default_year(area, terms), terms)
    checks = [("year", lambda v: _year(area, v, terms)),
              ("benchmark", lambda v: _choice(v, BENCHMARK_OPTIONS)),
              ("level", lambda v: _choice(v, LEVEL_OPTIONS))]
    for key, check in checks:
        if key in query:
            try:
                view = view._replace(**{key: check(query[key])})
            except ValueError:
                notes.append(f"The link's {key} “{str(query[key])[:40]}” is not one this page "
                             f"offers, so the default ({getattr(view, key)}) is shown.")
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


def _terms_phrase(terms: str, base_year: str) -> str:
    return f"real terms at {base_year} prices" if terms == "real" else "cash"


def _validate_area_terms(area="", terms="") -> dict:
    return {"area": _area(area), "terms": _choice(terms, TERMS_OPTIONS)}


@downloads.dataset("area-cost", ("area", "terms"), _validate_area_terms)
def cost_table(area: str, terms: str) -> pd.DataFrame:
    df = _costs(area, terms)
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
    df = _costs(area, terms)
    return pd.DataFrame({
        "financial_year": df["financial_year"],
        "terms": [_terms_words(terms, b) for b in df["real_terms_base_year"]],
        "allocated_spend_gbp": df["allocated_spend_gbp"].round(2),
        "spend_change_pct": df["allocated_spend_change_pct"].round(1),
        "outcome_unit": df["outcome_unit_label"],
        "outcome_units": df["outcome_units"],
        "outcome_units_change_pct": df["outcome_units_change_pct"].round(1),
    })


def _indicator_periods(area: str, benchmark: str, level: str) -> pd.DataFrame:
    return data.query("area_indicator_periods", area_code=area, benchmark=benchmark, level=level)


def _latest(df: pd.DataFrame, year: str) -> pd.DataFrame:
    """Each indicator's latest period up to the chosen year (its latest, if none is that early)."""
    upto = df[df["period"] <= year]
    rest = df[~df["indicator_id"].isin(upto["indicator_id"])]
    both = pd.concat([upto, rest])
    order = {iid: i for i, iid in enumerate(dict.fromkeys(df["indicator_id"]))}
    picked = both.groupby("indicator_id", sort=False).tail(1)
    return picked.sort_values("indicator_id", key=lambda s: s.map(order)).reset_index(drop=True)


def _validate_indicators(area="", benchmark="", level="", year="") -> dict:
    area = _area(area)
    return {"area": area, "benchmark": _choice(benchmark, BENCHMARK_OPTIONS),
            "level": _choice(level, LEVEL_OPTIONS), "year": _year(area, year)}


@downloads.dataset("area-indicators", ("area", "benchmark", "level", "year"),
                   _validate_indicators)
def indicator_table(area: str, benchmark: str, level: str, year: str) -> pd.DataFrame:
    df = _latest(_indicator_periods(area, benchmark, level), year)
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
    return {"area": _area(area), "benchmark": _choice(benchmark, BENCHMARK_OPTIONS),
            "level": _choice(level, LEVEL_OPTIONS)}


@downloads.dataset("area-indicator-trends", ("area", "benchmark", "level"), _validate_trends)
def indicator_trend_table(area: str, benchmark: str, level: str) -> pd.DataFrame:
    df = _indicator_periods(area, benchmark, level)
    return pd.DataFrame({
        "indicator_id": df["indicator_id"],
        "indicator": df["indicator_name"],
        "period": df["period"],
        **indicator_value_columns(df, level, benchmark),
    })


def _validate_services(area="", year="") -> dict:
    area = _area(area)
    return {"area": area, "year": _year(area, year)}


@downloads.dataset("area-services", ("area", "year"), _validate_services)
def services_table(area: str, year: str) -> pd.DataFrame:
    df = _services(area, year)
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

def _change_words(pct: float | None) -> str:
    if pct is None or pd.isna(pct):
        return ""
    if abs(pct) < 0.05:
        return "was unchanged"
    size = f"{abs(pct):.0f}" if abs(pct) >= 10 else f"{abs(pct):.1f}"
    return f"{'rose' if pct > 0 else 'fell'} {size}%"


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


@data.memoize  # public figures: the same for every user, keyed by the view
def headline(view: View) -> str:
    """The finding in one sentence: cost per outcome and its change, and the indicators that are
    significantly worse than the benchmark or significantly getting worse."""
    costs = _costs(view.area, view.terms)
    row = costs[costs["financial_year"] == view.year].iloc[0]
    terms = "real terms" if view.terms == "real" else "cash terms"
    unit = row["outcome_unit_label"]
    if pd.isna(row["cost_per_outcome_gbp"]):
        first = f"There is no count of outcomes for {view.year}, so no cost per outcome"
    else:
        change = _change_words(row["cost_per_outcome_change_pct"])
        value = money(row["cost_per_outcome_gbp"])
        first = (f"Cost per {unit} {change} in {terms} to {value} in {view.year}" if change
                 else f"Cost per {unit} was {value} in {view.year} in {terms}")
    ind = _latest(_indicator_periods(view.area, view.benchmark, view.level), view.year)
    worse = ind["comparison"].eq("worse")
    worsening = ind["trend"].fillna("").str.endswith("getting worse")
    bench = BENCHMARK_WORDS[view.benchmark]
    level = LEVEL_WORDS[view.level]
    groups = [
        (worse & worsening, f"significantly worse than {bench} and getting worse"),
        (worse & ~worsening, f"significantly worse than {bench}"),
        (~worse & worsening, "getting significantly worse"),
    ]
    parts = [f"{words}: {_names(ind.loc[mask, 'indicator_name'].tolist())}"
             for mask, words in groups if mask.any()]
    if not parts:
        parts = [f"no indicator is significantly worse than {bench} ({level} level) or getting "
                 "significantly worse"]
    return f"{first}; " + "; ".join(parts) + "."


# ---- sections --------------------------------------------------------------------------

@data.memoize  # public figures: the same for every user, keyed by the view
def _cost_section(view: View, summary: str) -> html.Section:
    df = _costs(view.area, view.terms)
    row = df[df["financial_year"] == view.year].iloc[0]
    unit = row["outcome_unit_label"]
    words = _terms_phrase(view.terms, row["real_terms_base_year"])
    title = (f"Cost per {unit}: {money(row['cost_per_outcome_gbp'])} in {view.year} "
             f"({words})")
    fig = figures.cost_per_outcome(df["financial_year"], df["cost_per_outcome_gbp"],
                                   df["cost_per_outcome_lower_gbp"],
                                   df["cost_per_outcome_upper_gbp"], f"Cost per {unit}")
    table = cost_table(view.area, view.terms)
    summary = f"{summary} {row['interval_note']}"  # why there is, or is not, an interval
    return chart_block(COST_BLOCK, title, summary, fig, display_table(table),
                       ("area-cost", {"area": view.area, "terms": view.terms}))


@data.memoize  # public figures: the same for every user, keyed by the view
def _spend_section(view: View) -> html.Section:
    df = _costs(view.area, view.terms)
    first, last = df.iloc[0], df.iloc[-1]
    words = _terms_phrase(view.terms, last["real_terms_base_year"])
    unit = last["outcome_unit_label"]

    def growth(col: str) -> float | None:
        a, b = first[col], last[col]
        return None if pd.isna(a) or pd.isna(b) or a == 0 else (b / a - 1) * 100

    s, u = growth("allocated_spend_gbp"), growth("outcome_units")
    s_words = _change_words(s) or "cannot be compared"
    u_words = _change_words(u) or "cannot be compared"
    title = (f"From {first['financial_year']} to {last['financial_year']} spend "
             f"{s_words} ({words}) while outcomes {u_words}")
    summary = (f"Allocated spend went from {money(first['allocated_spend_gbp'])} to "
               f"{money(last['allocated_spend_gbp'])} ({words}); outcomes counted "
               f"({unit}) went from {number(first['outcome_units'])} to "
               f"{number(last['outcome_units'])}.")
    fig = figures.spend_and_units(df["financial_year"], df["allocated_spend_gbp"],
                                  df["outcome_units"], f"Allocated spend ({words})",
                                  f"Outcomes ({unit})")
    table = spend_units_table(view.area, view.terms)
    return chart_block(SPEND_BLOCK, title, summary, fig, display_table(table),
                       ("area-spend-units", {"area": view.area, "terms": view.terms}))


def _indicator_rows(view: View, latest: pd.DataFrame, periods: pd.DataFrame) -> list:
    rows = []
    for r in latest.itertuples():
        history = periods[periods["indicator_id"] == r.indicator_id]
        # decorative: the row already gives the trend in words and the history is in the CSV
        spark = html.Img(src=figures.sparkline(history["value"], history["benchmark_value"]),
                         alt="", width=150, height=44, className="spark")
        interval = ("–" if pd.isna(r.lower_ci) else
                    f"{number(r.lower_ci, 1)} to {number(r.upper_ci, 1)}")
        rows.append(html.Tr([
            html.Th([r.indicator_name, html.Br(),
                     html.Span(f"{ROLE_WORDS.get(r.role, r.role)} · {r.unit_label}",
                               className="role")], scope="row"),
            html.Td(r.period),
            html.Td(number(r.numerator)),
            html.Td(number(r.value, 1)),
            html.Td(interval),
            html.Td(number(r.benchmark_value, 1)),
            html.Td(comparison_badge(r.comparison, BENCHMARK_WORDS[view.benchmark])),
            html.Td(trend_marker(r.trend)),
            html.Td(spark),
        ], id=f"{PREFIX}-indicator-{r.indicator_id}"))
    return rows


@data.memoize  # public figures: the same for every user, keyed by the view
def _indicators_section(view: View) -> html.Div:
    periods = _indicator_periods(view.area, view.benchmark, view.level)
    latest = _latest(periods, view.year)
    bench = BENCHMARK_WORDS[view.benchmark]
    level = LEVEL_WORDS[view.level]
    n_worse = int(latest["comparison"].eq("worse").sum())
    n_worsening = int(latest["trend"].fillna("").str.endswith("getting worse").sum())
    summary = (f"{len(latest)} indicators measure this area. At the {level} level, {n_worse} "
               f"{'is' if n_worse == 1 else 'are'} significantly worse than {bench}, and "
               f"{n_worsening} {'is' if n_worsening == 1 else 'are'} getting significantly worse "
               "(Fingertips' test for trend on the latest five points). The dotted line in each "
               "small chart is the benchmark.")
    head = html.Thead(html.Tr([html.Th(c, scope="col") for c in (
        "Indicator", "Period", "Count", "Value", f"{level} interval",
        f"{dict(BENCHMARK_OPTIONS)[view.benchmark]} value",
        f"Compared with {bench}", "Recent trend", "Trend")]))
    table = dbc.Table([html.Caption(f"Indicators for this area compared with {bench} at the "
                                    f"{level} level"),
                       head, html.Tbody(_indicator_rows(view, latest, periods))],
                      id=INDICATORS_TABLE, size="sm", className="indicator-table data-table",
                      bordered=False)
    params = {"area": view.area, "benchmark": view.benchmark, "level": view.level}
    trends = chart_block(
        TRENDS_BLOCK, "Every period behind the small trend charts",
        f"Each indicator's value, {level} interval and {bench} value in every period.",
        None, display_table(indicator_trend_table(**params)), ("area-indicator-trends", params))
    return html.Div([
        html.P(summary, id=f"{INDICATORS_TABLE}-summary", className="chart-summary"),
        html.Div(table, className="table-responsive", tabIndex="0", role="region",
                 **{"aria-label": "Indicators table"}),
        html.P(html.A("Download this table (CSV)", id=f"{INDICATORS_TABLE}-csv",
                      className="csv-link",
                      href="/download/area-indicators.csv?" + urlencode(
                          {**params, "year": view.year}, safe="/"))),
        trends,
    ])


@data.memoize  # public figures: the same for every user, keyed by the view
def _services_section(view: View) -> html.Section:
    df = _services(view.area, view.year)
    table = services_table(view.area, view.year)
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
    return chart_block(SERVICES_BLOCK, title, summary, fig, display_table(table),
                       ("area-services", {"area": view.area, "year": view.year}))


@data.memoize  # public figures: the same for every user, keyed by the view
def _suppliers_section(view: View) -> html.Div:
    if not view.service:
        return html.P("Choose a service above to see what it paid for and to whom.",
                      className="text-muted")
    services = _services(view.area, view.year)
    row = services[services["service_code"] == view.service].iloc[0]
    params = {"service": view.service, "year": view.year}
    kinds = expense_type_table(**params)
    suppliers = supplier_table(**params)
    if kinds.empty:
        return html.P(f"{row['service_name']} made no payments over £500 in {view.year}.")
    total = kinds["spend_gbp"].sum()
    scope = (f"Payments over £500 from the council's spend file: the whole service, of which "
             f"{row['share'] * 100:.0f}% is allocated to this area.")
    top_kind = kinds.iloc[0]
    kind_block = chart_block(
        EXPENSE_BLOCK,
        f"{row['service_name']}: {top_kind['expense_type']} is the largest expense type, "
        f"{money(top_kind['spend_gbp'])} of {money(total)} in {view.year}",
        scope, figures.bars(kinds["expense_type"], kinds["spend_gbp"]), display_table(kinds),
        ("service-expense-types", params))
    top = suppliers.iloc[0]
    supplier_block = chart_block(
        SUPPLIERS_BLOCK,
        f"{row['service_name']}: {top['supplier']} received the most, "
        f"{money(top['spend_gbp'])} in {view.year}",
        f"The {len(suppliers)} largest suppliers by spend. {scope}",
        figures.bars(suppliers["supplier"], suppliers["spend_gbp"], figures.GREEN),
        display_table(suppliers), ("service-suppliers", params))
    return html.Div([html.H3(f"Where {row['service_name']} spent its money", className="h4"),
                     kind_block, supplier_block])


# ---- layout ----------------------------------------------------------------------------

def _unknown(area_code) -> html.Div:
    areas = data.query("area_codes")
    return not_found(
        "Investment area not found",
        f"There is no investment area with the code “{str(area_code)[:40]}”. "
        "Choose one of these:",
        [(f"/area/{c}", n) for c, n in zip(areas["area_code"], areas["area_name"],
                                           strict=True)])


def layout(area_code=None, **query) -> html.Div:
    areas = data.query("area_codes")
    if area_code is None:  # Dash's layout validation: any area will do
        area_code = str(areas["area_code"].iloc[0])
    try:
        area = _area(area_code)
    except ValueError:
        return _unknown(area_code)
    view, notes = view_from_query(area, query)
    info = areas[areas["area_code"] == area].iloc[0]
    years = _years(area, view.terms)
    services = _services(area, view.year)
    text = headline(view)
    controls = html.Div([
        select_control(YEAR, "Year", [(y, y) for y in reversed(years)], view.year),
        radio_group(TERMS, "Money in", TERMS_OPTIONS, view.terms),
        radio_group(BENCHMARK, "Compare with", BENCHMARK_OPTIONS, view.benchmark),
        radio_group(LEVEL, "Significance level", LEVEL_OPTIONS, view.level),
    ], id=CONTROLS, className="controls", role="group",
        **{"aria-label": "Choose what the page shows"})
    service_choice = select_control(
        SERVICE, "See what a service paid for, and to whom",
        [("", "No service chosen")] + list(zip(services["service_code"],
                                               services["service_name"], strict=True)),
        view.service)
    return html.Div([
        html.P(html.A("← All investment areas", href="/")),
        html.H1(info["area_name"], id=TITLE),
        html.P(info["outcome_statement"], className="lead"),
        html.Div([html.P(n) for n in notes], id=NOTE, className="state-note" if notes else None,
                 role="status"),
        html.P(text, id=HEADLINE, className="headline"),
        controls,
        html.H2("Cost per outcome", className="section-heading h3"),
        html.Div(_cost_section(view, text), id=COST_SLOT),
        html.Div(_spend_section(view), id=SPEND_SLOT),
        html.H2("Indicators", className="section-heading h3"),
        html.Div(_indicators_section(view), id=INDICATORS_SLOT),
        html.H2("Services funding this area", className="section-heading h3"),
        html.Div(_services_section(view), id=SERVICES_SLOT),
        html.Div(service_choice, className="controls"),
        html.Div(_suppliers_section(view), id=SUPPLIERS_SLOT),
    ])
