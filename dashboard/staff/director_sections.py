"""The director view's sections as Dash components, drawn from ``dashboard.views.director``."""

from __future__ import annotations

from urllib.parse import urlencode

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from dashboard import figures
from dashboard.components import chart_block, comparison_badge, trend_marker
from dashboard.views import director as views
from dashboard.views.director import View
from dashboard.views.format import (
    BENCHMARK_OPTIONS,
    BENCHMARK_WORDS,
    LEVEL_WORDS,
    display_table,
    number,
)

PREFIX = "director"
ALERTS_TABLE = f"{PREFIX}-alerts"
BUDGET_BLOCK = f"{PREFIX}-budget"
SERVICES_BLOCK = f"{PREFIX}-services"
LINKS = f"{PREFIX}-service-links"


def alerts_section(view: View, name: str) -> html.Div:
    df = views.indicators(view.dept, view.benchmark, view.level)
    text = views.alerts_summary(view, name, df)
    bench = BENCHMARK_WORDS[view.benchmark]
    level = LEVEL_WORDS[view.level]
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
            html.Td(comparison_badge(r.comparison, bench, r.method)),
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
    return html.Div([
        html.H2("Indicators needing attention", className="section-heading h3"),
        html.P(text, className="chart-summary", id=f"{ALERTS_TABLE}-summary"),
        html.Div(table, className="table-responsive", tabIndex="0", role="region",
                 **{"aria-label": "Indicators table"}),
        html.P(html.A("Download this table (CSV)", id=f"{ALERTS_TABLE}-csv", className="csv-link",
                      href="/download/director-indicators.csv?" + urlencode(params))),
    ])


def budget_section(view: View, name: str) -> html.Section:
    table = views.budget_table(view.dept, view.year)
    title, summary = views.budget_words(view, name, table)
    labels = [f"{s} ({st})" for s, st in zip(table["service"], table["statutory"], strict=True)]
    fig = figures.budget_outturn(labels, table["budget_gbp"], table["outturn_gbp"],
                                 table["statutory"].eq("statutory"))
    return chart_block(BUDGET_BLOCK, title, summary, fig, display_table(table),
                       ("director-budget", {"dept": view.dept, "year": view.year}))


def services_section(view: View, name: str, area_href) -> html.Div:
    """``area_href(area_code, query)``: where a service's suppliers are shown."""
    table = views.services_table(view.dept, view.year)
    title, summary = views.services_words(view, name, table)
    services, series = views.services_series(table)
    block = chart_block(SERVICES_BLOCK, title, summary, figures.stacked_bars(services, series),
                        display_table(table),
                        ("director-services", {"dept": view.dept, "year": view.year}))
    links = html.Ul([
        html.Li(html.A(f"{r.service} in {r.investment_area}: suppliers and expense types",
                       href=area_href(r.area_code, {"year": view.year,
                                                    "service": r.service_code})))
        for r in table.itertuples()], id=LINKS)
    return html.Div([block, html.H3("Open a service's suppliers", className="h5"), links])


def content(view: View, area_href) -> tuple[str, list]:
    """The headline and every section of the view."""
    name = views.dept_name(view.dept)
    return views.headline(view, name), [
        alerts_section(view, name),
        html.H2(f"{name}: budget and outturn", className="section-heading h3"),
        budget_section(view, name),
        html.H2(f"{name}: services across the investment areas", className="section-heading h3"),
        services_section(view, name, area_href),
    ]
