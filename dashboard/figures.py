"""Plotly figures shared by pages: small, fast ``go.Figure`` builders (no plotly express).

Every builder takes plain sequences, returns a figure whose colours come from the Okabe-Ito
palette in ``components.PALETTE`` and whose lines are also told apart by dash and marker
shape, so no meaning rests on colour alone. Titles and summaries live in the page (the
chart block), not in the figure, so the figure can stay ``aria-hidden``.
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.components import PALETTE

BLUE, VERMILLION, GREEN, PINK, SKY, ORANGE, BLACK = PALETTE
GRID = "#d9d9d9"
FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif",
        "size": 13, "color": "#1b1b1b"}


def _base(fig: go.Figure, height: int = 320, legend: bool = True) -> go.Figure:
    fig.update_layout(
        height=height, margin={"l": 10, "r": 10, "t": 30, "b": 10}, font=FONT,
        paper_bgcolor="#ffffff", plot_bgcolor="#ffffff", showlegend=legend,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        hovermode="x unified", separators=".,",
    )
    fig.update_xaxes(showline=True, linecolor="#595959", gridcolor=GRID, automargin=True)
    fig.update_yaxes(showline=True, linecolor="#595959", gridcolor=GRID, automargin=True,
                     zeroline=False)
    return fig


def _nan_to_none(values: Sequence) -> list:
    return [None if v is None or v != v else v for v in values]  # NaN != NaN


def cost_per_outcome(years: Sequence[str], value: Sequence[float], lower: Sequence[float],
                     upper: Sequence[float], label: str) -> go.Figure:
    """Cost per outcome over the years as a line, with its 95% interval as a shaded band."""
    years = list(years)
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=years, y=_nan_to_none(upper), mode="lines", line={"width": 0},
                             hoverinfo="skip", showlegend=False, name="upper"))
    fig.add_trace(go.Scatter(x=years, y=_nan_to_none(lower), mode="lines", line={"width": 0},
                             fill="tonexty", fillcolor="rgba(86,180,233,0.35)",
                             name="95% interval", hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=years, y=_nan_to_none(value), mode="lines+markers",
                             line={"color": BLUE, "width": 3}, marker={"size": 7},
                             name=label, hovertemplate="£%{y:,.0f}<extra></extra>"))
    fig.update_yaxes(tickprefix="£", tickformat=",.0f", rangemode="tozero")
    fig.update_xaxes(type="category")
    return _base(fig)


def spend_and_units(years: Sequence[str], spend: Sequence[float], units: Sequence[float],
                    spend_label: str, units_label: str) -> go.Figure:
    """Spend and outcome units side by side, one panel each, sharing the years."""
    years = list(years)
    fig = make_subplots(rows=1, cols=2, subplot_titles=(spend_label, units_label),
                        horizontal_spacing=0.12)
    fig.add_trace(go.Bar(x=years, y=_nan_to_none(spend), marker_color=BLUE, name=spend_label,
                         hovertemplate="£%{y:,.0f}<extra></extra>"), row=1, col=1)
    fig.add_trace(go.Scatter(x=years, y=_nan_to_none(units), mode="lines+markers",
                             line={"color": VERMILLION, "width": 3, "dash": "dash"},
                             marker={"symbol": "diamond", "size": 8}, name=units_label,
                             hovertemplate="%{y:,.0f}<extra></extra>"), row=1, col=2)
    fig.update_yaxes(tickprefix="£", tickformat=",.3s", rangemode="tozero", row=1, col=1)
    fig.update_yaxes(tickformat=",.0f", rangemode="tozero", row=1, col=2)
    fig.update_xaxes(type="category", tickangle=-45)
    fig.update_annotations(font={"size": 13})
    return _base(fig, height=340, legend=False)


def budget_outturn(labels: Sequence[str], budget: Sequence[float], outturn: Sequence[float],
                   statutory: Sequence[bool]) -> go.Figure:
    """Budget and outturn per service as paired horizontal bars; non-statutory hatched."""
    labels = list(labels)
    pattern = ["" if s else "/" for s in statutory]
    fig = go.Figure()
    fig.add_trace(go.Bar(y=labels, x=_nan_to_none(budget), orientation="h", name="Budget",
                         marker={"color": SKY, "pattern": {"shape": pattern}},
                         hovertemplate="Budget £%{x:,.0f}<extra></extra>"))
    fig.add_trace(go.Bar(y=labels, x=_nan_to_none(outturn), orientation="h", name="Outturn",
                         marker={"color": BLUE, "pattern": {"shape": pattern}},
                         hovertemplate="Outturn £%{x:,.0f}<extra></extra>"))
    fig.update_layout(barmode="group", hovermode="y unified")
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(tickprefix="£", tickformat=",.3s")
    return _base(fig, height=max(220, 70 + 48 * len(labels)))


def bars(labels: Sequence[str], values: Sequence[float], colour: str = BLUE) -> go.Figure:
    """Horizontal bars of £, largest first (the order given)."""
    labels = list(labels)
    fig = go.Figure(go.Bar(y=labels, x=_nan_to_none(values), orientation="h",
                           marker_color=colour, hovertemplate="£%{x:,.0f}<extra></extra>"))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(tickprefix="£", tickformat=",.3s")
    fig.update_layout(hovermode="closest")
    return _base(fig, height=max(200, 60 + 30 * len(labels)), legend=False)


def stacked_bars(labels: Sequence[str], series: dict[str, Sequence[float]]) -> go.Figure:
    """Horizontal bars stacked by series (e.g. a service's spend split across areas)."""
    labels = list(labels)
    fig = go.Figure()
    patterns = ["", "/", ".", "x", "-", "|", "+"]
    for i, (name, values) in enumerate(series.items()):
        fig.add_trace(go.Bar(y=labels, x=_nan_to_none(values), orientation="h", name=name,
                             marker={"color": PALETTE[i % len(PALETTE)],
                                     "pattern": {"shape": patterns[i % len(patterns)]}},
                             hovertemplate=f"{name}: £%{{x:,.0f}}<extra></extra>"))
    fig.update_layout(barmode="stack", hovermode="y unified")
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(tickprefix="£", tickformat=",.3s")
    return _base(fig, height=max(240, 90 + 36 * len(labels)))


def sparkline(periods: Sequence[str], values: Sequence[float],
              benchmark: Sequence[float] | None = None) -> go.Figure:
    """A tiny trend: the place's values, and the benchmark as a dotted line where there is one."""
    periods = list(periods)
    fig = go.Figure()
    if benchmark is not None and any(b == b and b is not None for b in benchmark):
        fig.add_trace(go.Scatter(x=periods, y=_nan_to_none(benchmark), mode="lines",
                                 line={"color": BLACK, "width": 1.5, "dash": "dot"},
                                 hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=periods, y=_nan_to_none(values), mode="lines+markers",
                             line={"color": BLUE, "width": 2}, marker={"size": 4},
                             hoverinfo="skip"))
    fig.update_layout(height=44, width=150, margin={"l": 2, "r": 2, "t": 2, "b": 2},
                      showlegend=False, paper_bgcolor="rgba(0,0,0,0)",
                      plot_bgcolor="rgba(0,0,0,0)")
    fig.update_xaxes(visible=False, type="category")
    fig.update_yaxes(visible=False)
    return fig
