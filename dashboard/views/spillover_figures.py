"""The spill-over page's figures: the Sankey of who pays and who benefits, the payer matrix,
and the council's own activity beside its outcomes (an association, not a cause)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard import figures
from dashboard.views.format import PALETTE


def _layout(height: int, **extra) -> dict:
    return {"height": height, "margin": {"l": 10, "r": 10, "t": 30, "b": 10},
            "font": figures.FONT, "paper_bgcolor": "#ffffff", "plot_bgcolor": "#ffffff",
            "separators": ".,", **extra}


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def sankey_figure(out: dict) -> go.Figure:
    """Services -> outcomes -> payers, widths = median saving over five years (discounted)."""
    services = out["services"]
    flows = out["result"].sankey()
    flows = flows[flows["value_gbp"] > 0.5]
    labels: dict[str, str] = {}
    for node in pd.concat([flows["source"], flows["target"]]):
        kind, _, key = node.partition(":")
        labels.setdefault(node, services.get(key, key) if kind == "service" else key)
    nodes = list(labels)
    index = {n: i for i, n in enumerate(nodes)}
    payer_nodes = [n for n in nodes if n.startswith("payer:")]
    colour = {n: PALETTE[i % len(PALETTE)] for i, n in enumerate(payer_nodes)}
    # colour each band by the payer it ends at (second hop) or feeds (first hop)
    outcome_payer = dict(zip(flows.loc[flows["target"].str.startswith("payer:"), "source"],
                             flows.loc[flows["target"].str.startswith("payer:"), "target"],
                             strict=False))

    def band(row) -> str:
        end = row.target if row.target.startswith("payer:") else outcome_payer.get(row.target)
        return _rgba(colour.get(end, "#595959"), 0.45)

    node_colour = [colour.get(n, "#595959" if n.startswith("service:") else "#9e9e9e")
                   for n in nodes]
    trace = go.Sankey(
        arrangement="snap", valueformat=",.0f", valuesuffix="",
        node={"label": [labels[n] for n in nodes], "color": node_colour, "pad": 18,
              "thickness": 16, "line": {"color": "#1b1b1b", "width": 0.5},
              "hovertemplate": "%{label}: £%{value:,.0f}<extra></extra>"},
        link={"source": [index[s] for s in flows["source"]],
              "target": [index[t] for t in flows["target"]],
              "value": flows["value_gbp"].round(0).tolist(),
              "color": [band(r) for r in flows.itertuples()],
              "hovertemplate": "%{source.label} → %{target.label}: £%{value:,.0f}"
                               "<extra></extra>"},
    )
    return go.Figure(data=[trace], layout=_layout(max(360, 34 * len(nodes))))


def _per_pound(value: float) -> str:
    """£ per £1 for a matrix cell: pence where they matter, a dash for no effect."""
    if abs(value) < 5e-6:
        return "–"
    if abs(value) < 0.0005:
        return "<£0.001"
    return f"£{value:,.2f}" if abs(value) >= 0.01 else f"£{value:,.3f}"


def matrix_figure(out: dict) -> go.Figure:
    payers = out["payers"]
    matrix = out["matrix"]
    cols = [c for c in matrix.columns if (matrix[c].abs() > 1e-9).any()]
    z = matrix[cols].to_numpy()
    x = [payers.get(c, c) for c in cols]
    y = [payers.get(r, r) for r in matrix.index]
    trace = go.Heatmap(
        z=z, x=x, y=y, colorscale="Blues", zmin=0, showscale=False, xgap=2, ygap=2,
        text=[[_per_pound(v) for v in row] for row in z], texttemplate="%{text}",
        textfont={"size": 14},
        hovertemplate="£%{z:,.2f} for %{x} per £1 spent by %{y}<extra></extra>")
    return go.Figure(data=[trace], layout=_layout(
        max(200, 90 + 60 * len(y)),
        xaxis={"side": "top", "automargin": True, "title": {"text": "Effect on"}},
        yaxis={"automargin": True, "autorange": "reversed",
               "title": {"text": "Spent by"}}))


def observed_figure(df: pd.DataFrame, units_label: str, outcome_label: str,
                    rate_label: str) -> go.Figure:
    years = df["financial_year"].tolist()
    data_ = [
        go.Bar(x=years, y=df["units"].tolist(), name=units_label, marker_color=figures.SKY,
               hovertemplate="%{y:,.0f}<extra></extra>"),
        go.Scatter(x=years, y=df["outcome_value"].tolist(), name=outcome_label, yaxis="y2",
                   mode="lines+markers", line={"color": figures.VERMILLION, "width": 3,
                                               "dash": "dash"},
                   marker={"symbol": "diamond", "size": 8},
                   customdata=df["next_year"].tolist(),
                   hovertemplate="%{customdata}: %{y:,.0f}<extra></extra>"),
    ]
    return go.Figure(data=data_, layout=_layout(
        340, hovermode="x unified", showlegend=True,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        xaxis={"type": "category", "title": {"text": "Year of the places (the rate is for "
                                                      "the year after)"},
               "showline": True, "linecolor": figures.AXIS_LINE},
        yaxis={"title": {"text": units_label}, "rangemode": "tozero",
               "gridcolor": figures.GRID, "automargin": True},
        yaxis2={"title": {"text": rate_label}, "overlaying": "y", "side": "right",
                "showgrid": False, "automargin": True, "tickformat": ",.0f"}))
