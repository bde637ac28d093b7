"""Plotly figures shared by pages: small, fast ``go.Figure`` builders (no plotly express).

Every builder takes plain sequences and returns a figure whose colours come from the
Okabe-Ito palette in ``views.format.PALETTE``; lines and bars are also told apart by dash,
marker shape or hatching, so no meaning rests on colour alone. Titles and summaries live in
the page (the chart block), not in the figure, which is hidden from screen readers.

Each figure is built in one ``go.Figure(data=..., layout=...)`` call: plotly's
``update_*`` methods validate again on every call and cost ten times as much.
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from dashboard.views.format import PALETTE

BLUE, VERMILLION, GREEN, PINK, SKY, ORANGE, BLACK = PALETTE
GRID = "#d9d9d9"
AXIS_LINE = "#595959"
FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif",
        "size": 13, "color": "#1b1b1b"}
PATTERNS = ["", "/", ".", "x", "-", "|", "+"]


def _axis(**extra) -> dict:
    return {"showline": True, "linecolor": AXIS_LINE, "gridcolor": GRID, "automargin": True,
            "zeroline": False, **extra}


def _layout(height: int, legend: bool = True, **extra) -> dict:
    return {
        "height": height, "margin": {"l": 10, "r": 10, "t": 30, "b": 10}, "font": FONT,
        "paper_bgcolor": "#ffffff", "plot_bgcolor": "#ffffff", "showlegend": legend,
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        "hovermode": "x unified", "separators": ".,", **extra,
    }


def _clean(values: Sequence) -> list:
    """Plain floats with None for gaps (NaN is not valid JSON)."""
    return [None if v is None or v != v else float(v) for v in values]  # NaN != NaN


def cost_per_outcome(years: Sequence[str], value: Sequence[float], lower: Sequence[float],
                     upper: Sequence[float], label: str) -> go.Figure:
    """Cost per outcome over the years as a line, with its 95% interval as a shaded band (no
    band, and no legend entry for one, where no year has an interval)."""
    years = list(years)
    band = [
        go.Scatter(x=years, y=_clean(upper), mode="lines", line={"width": 0},
                   hoverinfo="skip", showlegend=False, name="upper limit"),
        go.Scatter(x=years, y=_clean(lower), mode="lines", line={"width": 0}, fill="tonexty",
                   fillcolor="rgba(86,180,233,0.35)", name="95% interval", hoverinfo="skip"),
    ]
    has_interval = any(v is not None for v in _clean(lower) + _clean(upper))
    data = [
        *(band if has_interval else []),
        go.Scatter(x=years, y=_clean(value), mode="lines+markers",
                   line={"color": BLUE, "width": 3}, marker={"size": 7}, name=label,
                   hovertemplate="£%{y:,.0f}<extra></extra>"),
    ]
    return go.Figure(data=data, layout=_layout(
        320, xaxis=_axis(type="category"),
        yaxis=_axis(tickprefix="£", tickformat=",.0f", rangemode="tozero")))


def spend_and_units(years: Sequence[str], spend: Sequence[float], units: Sequence[float],
                    spend_label: str, units_label: str) -> go.Figure:
    """Spend and outcome units side by side, one panel each over the same years."""
    years = list(years)
    data = [
        go.Bar(x=years, y=_clean(spend), marker_color=BLUE, name=spend_label,
               hovertemplate="£%{y:,.0f}<extra></extra>"),
        go.Scatter(x=years, y=_clean(units), mode="lines+markers", xaxis="x2", yaxis="y2",
                   line={"color": VERMILLION, "width": 3, "dash": "dash"},
                   marker={"symbol": "diamond", "size": 8}, name=units_label,
                   hovertemplate="%{y:,.0f}<extra></extra>"),
    ]
    titles = [{"text": text, "x": x, "xref": "paper", "y": 1.0, "yref": "paper",
               "yanchor": "bottom", "xanchor": "center", "showarrow": False,
               "font": {"size": 13}} for text, x in ((spend_label, 0.22), (units_label, 0.78))]
    return go.Figure(data=data, layout=_layout(
        340, legend=False, annotations=titles,
        xaxis=_axis(type="category", tickangle=-45, domain=[0, 0.44]),
        xaxis2=_axis(type="category", tickangle=-45, domain=[0.56, 1], anchor="y2"),
        yaxis=_axis(tickprefix="£", tickformat=".3~s", rangemode="tozero"),
        yaxis2=_axis(tickformat=",.0f", rangemode="tozero", anchor="x2")))


def budget_outturn(labels: Sequence[str], budget: Sequence[float], outturn: Sequence[float],
                   statutory: Sequence[bool]) -> go.Figure:
    """Budget and outturn per service as paired horizontal bars; non-statutory hatched."""
    labels = list(labels)
    pattern = ["" if s else "/" for s in statutory]
    data = [
        go.Bar(y=labels, x=_clean(budget), orientation="h", name="Budget",
               marker={"color": SKY, "pattern": {"shape": pattern}},
               hovertemplate="Budget £%{x:,.0f}<extra></extra>"),
        go.Bar(y=labels, x=_clean(outturn), orientation="h", name="Outturn",
               marker={"color": BLUE, "pattern": {"shape": pattern}},
               hovertemplate="Outturn £%{x:,.0f}<extra></extra>"),
    ]
    return go.Figure(data=data, layout=_layout(
        max(220, 70 + 48 * len(labels)), barmode="group", hovermode="y unified",
        yaxis=_axis(autorange="reversed"), xaxis=_axis(tickprefix="£", tickformat=".3~s")))


def bars(labels: Sequence[str], values: Sequence[float], colour: str = BLUE) -> go.Figure:
    """Horizontal bars of £ in the order given (largest first, usually)."""
    labels = list(labels)
    data = [go.Bar(y=labels, x=_clean(values), orientation="h", marker_color=colour,
                   hovertemplate="£%{x:,.0f}<extra></extra>")]
    return go.Figure(data=data, layout=_layout(
        max(200, 60 + 30 * len(labels)), legend=False, hovermode="closest",
        yaxis=_axis(autorange="reversed"), xaxis=_axis(tickprefix="£", tickformat=".3~s")))


def stacked_bars(labels: Sequence[str], series: dict[str, Sequence[float]]) -> go.Figure:
    """Horizontal bars stacked by series (a service's spend split across areas), hatched too."""
    labels = list(labels)
    data = [go.Bar(y=labels, x=_clean(values), orientation="h", name=name,
                   marker={"color": PALETTE[i % len(PALETTE)],
                           "pattern": {"shape": PATTERNS[i % len(PATTERNS)]}},
                   hovertemplate=f"{name}: £%{{x:,.0f}}<extra></extra>")
            for i, (name, values) in enumerate(series.items())]
    return go.Figure(data=data, layout=_layout(
        max(240, 90 + 36 * len(labels)), barmode="stack", hovermode="y unified",
        yaxis=_axis(autorange="reversed"), xaxis=_axis(tickprefix="£", tickformat=".3~s")))
