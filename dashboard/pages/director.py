"""Director view: one department's services across every investment area, and the indicators
in those areas that need attention (significantly worse than the benchmark, or significantly
getting worse) first. Internal mode only: it shows unpublished budget lines.

State lives in the URL (``/director?dept=ASC&year=2024/25&benchmark=england&level=95``).
"""

from __future__ import annotations

from typing import NamedTuple
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, dcc, html
from dash.exceptions import PreventUpdate

from dashboard import data, downloads, figures, settings
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
    number,
    radio_group,
    select_control,
    trend_marker,
)

PREFIX = "director"
URL = f"{PREFIX}-url"
TITLE = f"{PREFIX}-title"
HEADLINE = f"{PREFIX}-headline"
NOTE = f"{PREFIX}-note"
CONTROLS = f"{PREFIX}-controls"
DEPT = f"{PREFIX}-dept"
YEAR = f"{PREFIX}-year"
BENCHMARK = f"{PREFIX}-benchmark"
LEVEL = f"{PREFIX}-level"
CONTENT = f"{PREFIX}-content"
ALERTS_TABLE = f"{PREFIX}-alerts"
ALERTS_BLOCK = f"{PREFIX}-alerts-data"
BUDGET_BLOCK = f"{PREFIX}-budget"
SERVICES_BLOCK = f"{PREFIX}-services"
LINKS = f"{PREFIX}-service-links"

# the page shows draft and internal budget lines: never registered in public mode
ENABLED = settings.mode() == "internal"
if ENABLED:
    dash.register_page(__name__, path="/director", order=3, name="Directors",
                       title="Director view — Outcomes Budget Dashboard")


class View(NamedTuple):
    dept: str
    year: str
    benchmark: str = "england"
    level: str = "95"

    def search(self) -> str:
        return "?" + urlencode(self._asdict(), safe="/")


def _choice(value, options: list[tuple[str, str]]) -> str:
    return data.one_of(value, dict(options), "choice")


def _dept(value) -> str:
    return data.one_of(value, data.allowed("department_codes", "dept_code"), "department")


def _years() -> list[str]:
    return data.query("financial_years")["financial_year"].tolist()


def _year(value) -> str:
    return data.one_of(value, _years(), "year")


def make_view(dept, year, benchmark, level) -> View:
    """A checked view, or ValueError naming the first off-list value."""
    return View(_dept(dept), _year(year), _choice(benchmark, BENCHMARK_OPTIONS),
                _choice(level, LEVEL_OPTIONS))


def view_from_query(query: dict) -> tuple[View, list[str]]:
    """The view a link asks for; off-list values fall back to the default, with a note each."""
    view = View(str(data.query("department_codes")["dept_code"].iloc[0]), _years()[-1])
    notes = []
    checks = [("dept", _dept), ("year", _year),
              ("benchmark", lambda v: _choice(v, BENCHMARK_OPTIONS)),
              ("level", lambda v: _choice(v, LEVEL_OPTIONS))]
    for key, check in checks:
        if key in query:
            try:
                view = view._replace(**{key: check(query[key])})
            except ValueError:
                notes.append(f"The link's {key} “{str(query[key])[:40]}” is not one this page "
                             f"offers, so the default ({getattr(view, key)}) is shown.")
    return view, notes


# ---- tables ----------------------------------------------------------------------------

def _areas() -> pd.DataFrame:
    """Investment areas in their display order, with a ``sort_order`` column."""
    areas = data.query("area_codes")[["area_code", "area_name"]]
    return areas.assign(sort_order=range(len(areas)))


def indicators(dept: str, benchmark: str, level: str) -> pd.DataFrame:
    """The department's indicators, those needing attention first: significantly worse than
    the benchmark, then significantly getting worse, then the rest; areas in display order."""
    df = data.query("department_indicators", dept_code=dept, benchmark=benchmark, level=level)
    df = df.merge(_areas(), on="area_code", how="left")
    df["is_worse"] = df["comparison"].eq("worse")
    df["is_worsening"] = df["trend"].fillna("").str.endswith("getting worse")
    df["attention"] = df["is_worse"] | df["is_worsening"]
    return df.sort_values(["attention", "is_worse", "is_worsening", "sort_order", "indicator_id"],
                          ascending=[False, False, False, True, True], kind="stable",
                          ignore_index=True)


def _validate_alerts(dept="", benchmark="", level="") -> dict:
    return {"dept": _dept(dept), "benchmark": _choice(benchmark, BENCHMARK_OPTIONS),
            "level": _choice(level, LEVEL_OPTIONS)}


def alerts_table(dept: str, benchmark: str, level: str) -> pd.DataFrame:
    df = indicators(dept, benchmark, level)
    return pd.DataFrame({
        "area_code": df["area_code"],
        "investment_area": df["area_name"],
        "indicator_id": df["indicator_id"],
        "indicator": df["indicator_name"],
        "period": df["period"],
        "unit": df["unit_label"],
        "count": df["numerator"],
        **indicator_value_columns(df, level, benchmark),
        "recent_trend": df["trend"].fillna("cannot be calculated"),
        "needs_attention": df["attention"].map({True: "yes", False: "no"}),
    })


def _validate_dept_year(dept="", year="") -> dict:
    return {"dept": _dept(dept), "year": _year(year)}


def budget_table(dept: str, year: str) -> pd.DataFrame:
    df = data.query("department_budget_outturn", dept_code=dept, year=year)
    return pd.DataFrame({
        "service_code": df["service_code"],
        "service": df["service_name"],
        "statutory": df["statutory"].map({True: "statutory", False: "non-statutory"}),
        "payments_gbp": df["spend_gbp"].round(2),
        "budget_gbp": df["budget_gbp"].round(2),
        "outturn_gbp": df["outturn_gbp"].round(2),
        "outturn_minus_budget_gbp": (df["outturn_gbp"] - df["budget_gbp"]).round(2),
    })


def services_table(dept: str, year: str) -> pd.DataFrame:
    df = data.query("department_service_spend", dept_code=dept, year=year)
    df = df.merge(_areas(), on="area_code", how="left").sort_values(
        ["service_code", "sort_order"], kind="stable", ignore_index=True)
    return pd.DataFrame({
        "service_code": df["service_code"],
        "service": df["service_name"],
        "statutory": df["statutory"].map({True: "statutory", False: "non-statutory"}),
        "area_code": df["area_code"],
        "investment_area": df["area_name"],
        "allocation_share_pct": (df["share"] * 100).round(1),
        "allocated_spend_gbp": df["allocated_spend_gbp"].round(2),
        "allocated_budget_gbp": df["allocated_budget_gbp"].round(2),
        "allocated_outturn_gbp": df["allocated_outturn_gbp"].round(2),
    })


if ENABLED:
    downloads.dataset("director-indicators", ("dept", "benchmark", "level"),
                      _validate_alerts)(alerts_table)
    downloads.dataset("director-budget", ("dept", "year"), _validate_dept_year)(budget_table)
    downloads.dataset("director-services", ("dept", "year"), _validate_dept_year)(
        services_table)


# ---- sections --------------------------------------------------------------------------

def _dept_name(dept: str) -> str:
    depts = data.query("department_codes")
    return str(depts.loc[depts["dept_code"] == dept, "dept_name"].iloc[0])


def _alerts_section(view: View, name: str) -> tuple[str, html.Div]:
    df = indicators(view.dept, view.benchmark, view.level)
    flagged = df[df["attention"]]
    bench = BENCHMARK_WORDS[view.benchmark]
    level = LEVEL_WORDS[view.level]
    if len(flagged):
        listed = "; ".join(f"{r.indicator_name} ({r.area_name})" for r in flagged.itertuples())
        text = (f"{len(flagged)} of the {len(df)} indicators in the areas {name} funds need "
                f"attention (significantly worse than {bench} at the {level} level, or "
                f"significantly getting worse): {listed}.")
    else:
        text = (f"None of the {len(df)} indicators in the areas {name} funds is significantly "
                f"worse than {bench} at the {level} level or significantly getting worse.")
    rows = []
    for r in df.itertuples():
        attention = bool(r.attention)
        interval = ("–" if pd.isna(r.lower_ci) else
                    f"{number(r.lower_ci, 1)} to {number(r.upper_ci, 1)}")
        rows.append(html.Tr([
            html.Td("Needs attention" if attention else "–"),
            html.Th([r.indicator_name, html.Br(), html.Span(r.unit_label, className="role")],
                    scope="row"),
            html.Td(html.A(r.area_name, href=f"/area/{r.area_code}?" + urlencode(
                {"benchmark": view.benchmark, "level": view.level}))),
            html.Td(r.period),
            html.Td(number(r.value, 1)),
            html.Td(interval),
            html.Td(number(r.benchmark_value, 1)),
            html.Td(comparison_badge(r.comparison, bench)),
            html.Td(trend_marker(r.trend)),
        ], className="alert-row" if attention else None))
    head = html.Thead(html.Tr([html.Th(c, scope="col") for c in (
        "Attention", "Indicator", "Investment area", "Period", "Value", f"{level} interval",
        f"{dict(BENCHMARK_OPTIONS)[view.benchmark]} value", f"Compared with {bench}",
        "Recent trend")]))
    table = dbc.Table([html.Caption(f"Indicators in the areas {name} funds, those needing "
                                    "attention first"), head, html.Tbody(rows)],
                      id=ALERTS_TABLE, size="sm", bordered=False,
                      className="indicator-table data-table")
    params = {"dept": view.dept, "benchmark": view.benchmark, "level": view.level}
    return text, html.Div([
        html.H2("Indicators needing attention", className="section-heading h3"),
        html.P(text, className="chart-summary", id=f"{ALERTS_TABLE}-summary"),
        html.Div(table, className="table-responsive", tabIndex="0", role="region",
                 **{"aria-label": "Indicators table"}),
        html.P(html.A("Download this table (CSV)", id=f"{ALERTS_TABLE}-csv", className="csv-link",
                      href="/download/director-indicators.csv?" + urlencode(params))),
    ])


def _budget_section(view: View, name: str) -> html.Section:
    table = budget_table(view.dept, view.year)
    budget, outturn = table["budget_gbp"].sum(), table["outturn_gbp"].sum()
    gap = table["outturn_minus_budget_gbp"]
    over = table.loc[gap > 0].sort_values("outturn_minus_budget_gbp", ascending=False)
    if budget:
        pct = (outturn / budget - 1) * 100
        title = (f"{name}: outturn {money(outturn)} against a budget of {money(budget)} in "
                 f"{view.year}, {abs(pct):.1f}% {'over' if pct > 0 else 'under'}")
    else:
        title = f"{name}: no budget recorded for {view.year}"
    summary = (f"{len(over)} of {len(table)} services spent more than their budget"
               + (f", the most {over.iloc[0]['service']} "
                  f"({money(over.iloc[0]['outturn_minus_budget_gbp'])} over)" if len(over) else "")
               + ". Whole services in cash, before allocation to investment areas; "
               "non-statutory services are hatched.")
    labels = [f"{s} ({st})" for s, st in zip(table["service"], table["statutory"], strict=True)]
    fig = figures.budget_outturn(labels, table["budget_gbp"], table["outturn_gbp"],
                                 table["statutory"].eq("statutory"))
    return chart_block(BUDGET_BLOCK, title, summary, fig, display_table(table),
                       ("director-budget", {"dept": view.dept, "year": view.year}))


def _services_section(view: View, name: str) -> html.Div:
    table = services_table(view.dept, view.year)
    services = list(dict.fromkeys(table["service"]))
    areas = list(dict.fromkeys(table["investment_area"]))
    series = {}
    for area in areas:
        part = table[table["investment_area"] == area].set_index("service")
        series[area] = [part["allocated_spend_gbp"].get(s, float("nan")) for s in services]
    by_area = table.groupby("investment_area", sort=False)["allocated_spend_gbp"].sum()
    title = (f"{name}'s services fund {len(areas)} investment areas; most goes to "
             f"{by_area.idxmax()} ({money(by_area.max())} in {view.year})") if len(by_area) \
        else f"{name} funds no investment area in {view.year}"
    summary = ("Each service's spend split by its allocation shares across the investment "
               "areas it serves (cash). "
               + "; ".join(f"{a}: {money(v)}" for a, v in by_area.items()) + ".")
    block = chart_block(SERVICES_BLOCK, title, summary, figures.stacked_bars(services, series),
                        display_table(table),
                        ("director-services", {"dept": view.dept, "year": view.year}))
    links = html.Ul([
        html.Li(html.A(f"{r.service} in {r.investment_area}: suppliers and expense types",
                       href=f"/area/{r.area_code}?" + urlencode(
                           {"year": view.year, "service": r.service_code}, safe="/")))
        for r in table.itertuples()], id=LINKS)
    return html.Div([block, html.H3("Open a service's suppliers", className="h5"), links])


def headline(view: View, name: str) -> str:
    """The department's position in one sentence: budget against outturn, and how many of the
    indicators in the areas it funds need attention."""
    budget = budget_table(view.dept, view.year)
    planned, spent = budget["budget_gbp"].sum(), budget["outturn_gbp"].sum()
    if planned:
        pct = (spent / planned - 1) * 100
        money_part = (f"{name} spent {money(spent)} against a budget of {money(planned)} in "
                      f"{view.year} ({abs(pct):.1f}% {'over' if pct > 0 else 'under'})")
    else:
        money_part = f"{name} has no budget recorded for {view.year}"
    ind = indicators(view.dept, view.benchmark, view.level)
    n = int(ind["attention"].sum())
    return (f"{money_part}; {n} of the {len(ind)} indicators in the areas it funds "
            f"{'needs' if n == 1 else 'need'} attention.")


def _content(view: View) -> tuple[str, list]:
    name = _dept_name(view.dept)
    _, alerts = _alerts_section(view, name)
    return headline(view, name), [
        alerts,
        html.H2(f"{name}: budget and outturn", className="section-heading h3"),
        _budget_section(view, name),
        html.H2(f"{name}: services across the investment areas", className="section-heading h3"),
        _services_section(view, name),
    ]


# ---- layout and callback ---------------------------------------------------------------

def layout(**query) -> html.Div:
    view, notes = view_from_query(query)
    depts = data.query("department_codes")
    text, content = _content(view)
    controls = html.Div([
        select_control(DEPT, "Department", list(zip(depts["dept_code"], depts["dept_name"],
                                                    strict=True)), view.dept),
        select_control(YEAR, "Year", [(y, y) for y in reversed(_years())], view.year),
        radio_group(BENCHMARK, "Compare with", BENCHMARK_OPTIONS, view.benchmark),
        radio_group(LEVEL, "Significance level", LEVEL_OPTIONS, view.level),
    ], id=CONTROLS, className="controls", role="group",
        **{"aria-label": "Choose the department and comparison"})
    return html.Div([
        dcc.Location(id=URL, refresh=False),
        html.H1("Director view", id=TITLE),
        html.P("A department's services across every investment area, and the indicators in "
               "those areas that are significantly worse than the benchmark or significantly "
               "getting worse, first.", className="lead"),
        html.Div([html.P(n) for n in notes], id=NOTE, className="state-note" if notes else None,
                 role="status"),
        controls,
        html.P(text, id=HEADLINE, className="headline", **{"aria-live": "polite"}),
        html.Div(content, id=CONTENT),
    ])


def update(dept, year, benchmark, level):
    """Redraw the page for the chosen department and put the state in the URL."""
    try:
        view = make_view(dept, year, benchmark, level)
    except ValueError:
        raise PreventUpdate from None
    text, content = _content(view)
    return view.search(), text, content, []


if ENABLED:
    dash.callback(
        Output(URL, "search"),
        Output(HEADLINE, "children"),
        Output(CONTENT, "children"),
        Output(NOTE, "children"),
        Input(DEPT, "value"),
        Input(YEAR, "value"),
        Input(BENCHMARK, "value"),
        Input(LEVEL, "value"),
        prevent_initial_call=True,
    )(update)
