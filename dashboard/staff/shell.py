"""The staff dashboard's page shell: skip link, header and navigation, main, footer."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html

from dashboard import data
from dashboard.components import demo_banner

MAIN_ID = "main-content"
LINKS = [("Scenario planner", "/staff/scenarios"), ("Directors", "/staff/director"),
         ("Area explorer", "/staff/area"), ("Public site", "/"),
         ("Spill-over effects", "/spillover"), ("Methods", "/methods")]


def shell() -> html.Div:
    info = data.query("build_info").iloc[0]
    return html.Div([
        html.A("Skip to main content", href=f"#{MAIN_ID}", className="skip-link"),
        html.Header(dbc.Container([
            html.P(html.A(f"{info['borough_name']} — staff dashboard", href="/staff/scenarios",
                          className="h4 text-decoration-none"), className="mb-1"),
            html.Nav([html.A(label, href=href) for label, href in LINKS],
                     **{"aria-label": "Main"}),
        ]), className="site-header"),
        dbc.Container([
            demo_banner(bool(info["is_demo"])),
            # a screen tall before the page arrives: the footer never jumps down (layout shift)
            html.Main(dash.page_container, id=MAIN_ID, tabIndex="-1", className="staff-main"),
        ], className="pt-3"),
        html.Footer(dbc.Container(html.P([
            f"Figures to {info['latest_year']}. Draft and internal figures: not for "
            "publication. ", html.A("How the figures are worked out", href="/methods"), " · ",
            html.A("Accessibility statement", href="/accessibility")])),
            className="site-footer"),
    ])
