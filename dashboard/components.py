"""Shared page parts: money figures, comparison badges, and chart + data blocks."""

from __future__ import annotations

import math
from typing import NamedTuple
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

# Okabe-Ito palette: distinguishable with every common colour-vision deficiency
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00", "#000000"]

# benchmark comparison -> (css class, symbol, words); text, not colour alone, carries meaning
COMPARISON = {
    "better": ("cmp-better", "▲", "Better than England"),
    "worse": ("cmp-worse", "▼", "Worse than England"),
    "similar": ("cmp-similar", "●", "Similar to England"),
    "higher": ("cmp-neutral", "▲", "Higher than England"),
    "lower": ("cmp-neutral", "▼", "Lower than England"),
    "not compared": ("cmp-none", "–", "Not compared"),
}


def plain(figure):
    """A go.Figure as the plain dict Dash sends anyway: cheap to cache and to unpickle
    (a cached go.Figure re-validates every property when it is loaded)."""
    return figure.to_dict() if hasattr(figure, "to_dict") else figure


def money(value: float | None, digits: int = 0) -> str:
    """£ with thousands separators; £m above a million; a dash for missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if abs(value) >= 1_000_000:
        return f"£{value / 1_000_000:,.1f}m"
    return f"£{value:,.{digits}f}"


def number(value: float | None, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:,.{digits}f}"


def pct_change(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "no change figure"
    word = "up" if value > 0 else "down"
    return f"{word} {abs(value):.1f}%" if abs(value) >= 0.05 else "unchanged"


def comparison_badge(label: str | None, benchmark: str = "England") -> html.Span:
    key = label if label in COMPARISON else "not compared"
    css, symbol, words = COMPARISON[key]
    words = words.replace("England", benchmark)
    return html.Span([html.Span(symbol, **{"aria-hidden": "true"}), " ", words],
                     className=f"cmp {css}")


def trend_text(label: str | None) -> str:
    if not label or label == "cannot be calculated":
        return "Trend: not enough data to test"
    return f"Trend: {label}"


# the indicator comparisons the area and director pages offer (value, label)
BENCHMARK_OPTIONS = [("england", "England"), ("region", "Region")]
LEVEL_OPTIONS = [("95", "95%"), ("998", "99.8%")]
LEVEL_WORDS = dict(LEVEL_OPTIONS)
BENCHMARK_WORDS = {"england": "England", "region": "the region"}


def indicator_value_columns(df: pd.DataFrame, level: str, benchmark: str) -> dict:
    """An indicator's value, interval and benchmark comparison as every indicator CSV gives
    them (``level`` and ``benchmark`` are allow-listed codes)."""
    return {
        "value": df["value"].round(2),
        "lower_ci": df["lower_ci"].round(2),
        "upper_ci": df["upper_ci"].round(2),
        "confidence_level": LEVEL_WORDS[level],
        "benchmark": dict(BENCHMARK_OPTIONS)[benchmark],
        "benchmark_value": df["benchmark_value"].round(2),
        "compared_with_benchmark": df["comparison"].fillna("not compared"),
    }


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
                download: tuple[str, dict] | None = None) -> html.Section:
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
    if download:
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


# recent trend (Fingertips wording) -> (css class, symbol); the words are shown too
TREND = {
    "increasing and getting better": ("trend-better", "▲"),
    "decreasing and getting better": ("trend-better", "▼"),
    "increasing and getting worse": ("trend-worse", "▲"),
    "decreasing and getting worse": ("trend-worse", "▼"),
    "increasing": ("trend-neutral", "▲"),
    "decreasing": ("trend-neutral", "▼"),
    "no significant change": ("trend-none", "►"),
}


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


# --- spill-over and scenario helpers --------------------------------------------------------
MINUS = "\u2212"  # a true minus sign: screen readers say "minus", and it lines up with "+"


def money_signed(value: float | None, digits: int = 0) -> str:
    """£ with a true minus sign for negatives ("−£34,477"); £m above a million."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = money(abs(value), digits)
    return f"{MINUS}{text}" if round(value, digits) < 0 else text


def money_interval(low: float | None, high: float | None) -> str:
    """A 95% interval of money, as "−£63,557 to −£24,652"."""
    return f"{money_signed(low)} to {money_signed(high)}"


class SpilloverInputs(NamedTuple):
    """What the spill-over model needs, from the named queries."""

    links: pd.DataFrame
    unit_costs: pd.DataFrame
    payers: pd.DataFrame
    funders: dict[str, str]  # service_code -> the department (payer) that funds it
    services: pd.DataFrame  # one row per service, with its latest year's spend


def spillover_inputs() -> SpilloverInputs:
    """The model's inputs, through the cache (frames are shared: do not mutate them)."""
    from dashboard import data

    services = data.query("service_spend_latest")
    return SpilloverInputs(
        links=data.query("spillover_links"),
        unit_costs=data.query("unit_costs"),
        payers=data.query("payers"),
        funders=dict(zip(services["service_code"], services["dept_code"], strict=True)),
        services=services,
    )


def display_table(frame: pd.DataFrame) -> pd.DataFrame:
    """A chart's table as a reader sees it: £ (``*_gbp``) and counts to the unit, other numbers
    to one place, ids as text, a dash for gaps. The CSV serves the unformatted frame."""
    whole = ("count", "payments", "outcome_units", "n_payments")
    out = frame.copy()
    for col in out.columns:
        series = out[col]
        if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            out[col] = series.fillna("–").astype(str)
        elif col.endswith("_id"):
            out[col] = series.astype(str)
        elif col.endswith("_gbp") or col in whole:
            out[col] = [number(v, 0) for v in series]
        else:
            out[col] = [number(v, 1) for v in series]
    return out
