"""Dash page parts for the staff dashboard: badges, chart + data blocks, controls.

The words and numbers themselves come from ``dashboard.views.format``.
"""

from __future__ import annotations

from urllib.parse import urlencode

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from dashboard.views.format import COMPARISON, TREND, plain


def comparison_badge(label: str | None, benchmark: str = "England",
                     method: str | None = None) -> html.Span:
    """A comparison badge (symbol and words); ``method`` ("compared at 99.8%", "quintile 2 of
    5", the views' ``method`` column) is named beside it."""
    key = label if label in COMPARISON else "not compared"
    css, symbol, words = COMPARISON[key]
    words = words.replace("England", benchmark)
    badge = html.Span([html.Span(symbol, **{"aria-hidden": "true"}), " ", words],
                      className=f"cmp {css}")
    if not method:
        return badge
    return html.Span([badge, " ", html.Span(f"({method})", className="small")])


def data_table(frame: pd.DataFrame, caption: str, table_id: str) -> html.Div:
    """A plain HTML table of exactly what a chart shows, with a caption for screen readers."""
    head = html.Thead(html.Tr([html.Th(c, scope="col") for c in frame.columns]))
    body = html.Tbody([html.Tr([html.Td(v) for v in row]) for row in frame.astype(str).values])
    table = dbc.Table([html.Caption(caption), head, body], id=table_id, bordered=False,
                      striped=True, size="sm", className="data-table")
    # a focusable, labelled scroll region, so keyboard users can scroll wide tables
    return html.Div(table, className="table-responsive", tabIndex="0", role="region",
                    **{"aria-label": caption})


def chart_block(block_id: str, title: str, summary: str, figure, table: pd.DataFrame,
                download: tuple[str, dict] | str | None = None) -> html.Section:
    """A chart with its finding as a title, a text summary, a data table and a CSV link."""
    heading_id = f"{block_id}-title"
    parts = [
        html.H3(title, id=heading_id, className="h5"),
        html.P(summary, className="chart-summary", id=f"{block_id}-summary"),
    ]
    if figure is not None:
        # dcc.Graph takes no aria props: the wrapper hides the picture from screen readers,
        # which get the summary and the data table instead
        parts.append(html.Div(dcc.Graph(id=f"{block_id}-graph", figure=plain(figure),
                                        config={"displayModeBar": False, "responsive": True},
                                        className="chart"), **{"aria-hidden": "true"}))
    details = [html.Summary("Show the data"), data_table(table, title, f"{block_id}-table")]
    if download:  # a CSV's address, or a dataset's name and parameters
        if isinstance(download, str):
            href = download
        else:
            name, params = download
            href = f"/download/{name}.csv" + (f"?{urlencode(params)}" if params else "")
        details.append(html.A("Download this data (CSV)", href=href, className="csv-link",
                              id=f"{block_id}-csv"))
    parts.append(html.Details(details, className="chart-data"))
    return html.Section(parts, className="chart-block", id=block_id,
                        **{"aria-labelledby": heading_id})


def demo_banner(is_demo: bool) -> html.Div | None:
    if not is_demo:
        return None
    return dbc.Alert(
        [html.Strong("Illustrative demo. "),
         "Northbridge is not a real council: its figures are made up by the demo generator, "
         "calibrated on published sources, to show how the dashboard works."],
        color="warning", className="demo-banner mb-3", id="demo-banner",
    )


def trend_marker(label: str | None) -> html.Span:
    """The recent-trend marker: an arrow and the words, coloured by better or worse."""
    if not isinstance(label, str) or label not in TREND:
        return html.Span([html.Span("–", **{"aria-hidden": "true"}), " not enough data"],
                         className="trend trend-none")
    css, symbol = TREND[label]
    return html.Span([html.Span(symbol, **{"aria-hidden": "true"}), " ", label],
                     className=f"trend {css}")


def radio_group(control_id: str, legend: str, options: list[tuple[str, str]],
                value: str, name: str | None = None) -> html.Fieldset:
    """Radio buttons in a fieldset with a legend (``name``: the form field, if not the id)."""
    return html.Fieldset([
        html.Legend(legend, className="form-label fw-semibold fs-6 mb-1"),
        # a shared name makes the inputs one group: one tab stop, arrow keys between options
        dbc.RadioItems(id=control_id, name=name or control_id, value=value, inline=True,
                       options=[{"label": label, "value": v} for v, label in options]),
    ], className="control")


def select_control(control_id: str, label: str, options: list[tuple[str, str]],
                   value: str, name: str | None = None) -> html.Div:
    """A native <select> with a visible label (``name``: its form field in a form of its own)."""
    return html.Div([
        dbc.Label(label, html_for=control_id, className="fw-semibold mb-1"),
        dbc.Select(id=control_id, value=value, name=name,
                   options=[{"label": text, "value": v} for v, text in options]),
    ], className="control")


def not_found(title: str, message: str, links: list[tuple[str, str]]) -> html.Div:
    """A helpful "not found" panel: what was asked for and where to go instead."""
    return html.Div([
        html.H1(title),
        html.P(message),
        html.Ul([html.Li(html.A(text, href=href)) for href, text in links]),
    ], className="not-found")
