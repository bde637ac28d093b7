"""A bare one-callback Dash + DuckDB app: the baseline the dashboard's callbacks are compared with.

One dropdown, one graph, one callback that reads a small in-memory DuckDB table and returns a
``go.Figure``; no cache, no security hooks, no pages. Served by gunicorn in the same run as the
dashboard: ``gunicorn bench.bare_app:server``.
"""

from __future__ import annotations

import threading

import duckdb
import plotly.graph_objects as go
from dash import Dash, Input, Output, dcc, html

_local = threading.local()
SERVICES = [f"S{i:02d}" for i in range(12)]


def _con() -> duckdb.DuckDBPyConnection:
    if not hasattr(_local, "con"):
        con = duckdb.connect(":memory:")
        con.execute("""
            create table spend as
            select 'S' || lpad((i % 12)::varchar, 2, '0') as service_code,
                   2015 + (i // 12) % 10 as year,
                   (i * 7919 % 100000) / 10.0 as amount_gbp
            from range(120000) t(i)
        """)
        _local.con = con
    return _local.con


app = Dash(__name__, serve_locally=True)
app.layout = html.Div([
    html.H1("Bare app"),
    dcc.Dropdown(SERVICES, SERVICES[0], id="bare-service", clearable=False),
    dcc.Graph(id="bare-graph"),
])


@app.callback(Output("bare-graph", "figure"), Input("bare-service", "value"))
def chart(service: str) -> go.Figure:
    rows = _con().execute(
        "select year, sum(amount_gbp) from spend where service_code = $s group by 1 order by 1",
        {"s": service}).fetchall()
    fig = go.Figure(go.Scatter(x=[r[0] for r in rows], y=[r[1] for r in rows],
                               mode="lines+markers"))
    fig.update_layout(title=f"Spend on {service}", height=320)
    return fig


server = app.server
