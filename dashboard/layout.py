"""The page shell every page shares: skip link, header and navigation, main, footer."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from dashboard import data
from dashboard.components import demo_banner

MAIN_ID = "main-content"


def _nav(mode: str) -> list:
    links = [("Overview", "/"), ("Spill-over effects", "/spillover"), ("Methods", "/methods"),
             ("Open data", "/data"), ("Accessibility", "/accessibility")]
    if mode == "internal":
        links.insert(2, ("Scenario planner", "/scenarios"))
        links.insert(3, ("Directors", "/director"))
    return [html.A(label, href=href) for label, href in links]


def shell(container, mode: str) -> html.Div:
    info = data.query("build_info").iloc[0]
    loaded = info["last_loaded_at"]
    loaded_text = loaded.strftime("%d %B %Y") if hasattr(loaded, "strftime") else str(loaded)
    return html.Div([
        html.A("Skip to main content", href=f"#{MAIN_ID}", className="skip-link"),
        html.Header(dbc.Container([
            html.P(html.A(f"{info['borough_name']} — outcomes budget", href="/",
                          className="h4 text-decoration-none"), className="mb-1"),
            html.Nav(_nav(mode), **{"aria-label": "Main"}),
        ]), className="site-header"),
        dbc.Container([
            demo_banner(bool(info["is_demo"])),
            html.Main(container, id=MAIN_ID, tabIndex="-1"),
        ], className="pt-3"),
        html.Footer(dbc.Container([
            html.P([
                "Data: the council's spend-over-£500 files, budget book and service records; "
                "indicators from ", html.Span(info["sources"] or "the council's sources"), ". ",
                f"Last loaded {loaded_text}. Figures to {info['latest_year']}.",
            ]),
            html.P(["Published under the Open Government Licence v3.0. ",
                    html.A("How the figures are worked out", href="/methods"), " · ",
                    html.A("Accessibility statement", href="/accessibility")]),
        ]), className="site-footer", id="site-footer"),
    ])
