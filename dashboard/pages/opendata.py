"""Open data: every published dataset as CSV and JSON, the API and a data dictionary."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html

from dashboard import api, data

dash.register_page(__name__, path="/data", title="Open data — Outcomes Budget Dashboard",
                   order=91,
                   server_rendered=("public", "internal"),  # no callbacks: HTML in both
                   shared_cache=True)  # the same for every reader: see static_pages

DICTIONARY = {
    "area_code": "Investment area code (the council's own)",
    "financial_year": "UK financial year, April to March, written 2023/24",
    "allocated_spend_gbp": "Spend allocated to the area by the service's share, £ cash",
    "allocated_spend_real_gbp": "The same at the real-terms base year's prices",
    "outcome_units": "Outcome units achieved in the year (the cost-per-outcome denominator)",
    "cost_per_outcome_gbp": "Allocated spend ÷ outcome units, £ cash",
    "cost_per_outcome_lower_gbp": "Lower 95% limit, from the outcome count's interval",
    "cost_per_outcome_upper_gbp": "Upper 95% limit, from the outcome count's interval",
    "indicator_id": "Fingertips indicator id, or a local id from 900001",
    "geo_code": "ONS/GSS area code (London E12000007, England E92000001)",
    "value": "Indicator value in its unit (see unit_label)",
    "lower95": "Lower 95% confidence limit", "upper95": "Upper 95% confidence limit",
    "lower998": "Lower 99.8% confidence limit", "upper998": "Upper 99.8% confidence limit",
    "vs_england_95": "Compared with England at 95%: better, similar, worse (or higher/lower)",
    "service_code": "Service code (the council's own)",
    "spend_gbp": "Payments in the year, £ cash, credit notes netted",
    "effect_ratio": "Rate ratio of events with the service vs without (below 1 prevents)",
    "evidence_grade": "GRADE certainty of the effect: high, moderate, low, very low",
    "payer_code": "Department or organisation that bears the cost",
    "unit_cost_gbp": "Cost of one item to its payer, £ at the price year",
}


def layout(**_query):
    rows = []
    for ds in api.DATASETS.values():
        cols = list(data.query(ds.query).columns)
        rows.append(html.Section([
            html.H2(ds.title, className="h5", id=f"opendata-{ds.name}"),
            html.P(ds.description),
            html.P([html.A("CSV", href=f"/api/v1/datasets/{ds.name}.csv"), " · ",
                    html.A("JSON", href=f"/api/v1/datasets/{ds.name}"),
                    f" · filter by: {', '.join(ds.filters)}"]),
            html.Details([html.Summary(f"Columns of {ds.title.lower()}"),
                          html.Ul([html.Li([html.Code(c), f" — {DICTIONARY.get(c, '')}"])
                                   for c in cols])]),
        ], className="mb-4"))
    return html.Div([
        html.H1("Open data", id="opendata-title"),
        html.P("Everything the dashboard shows the public, to download and reuse under the "
               "Open Government Licence v3.0."),
        dbc.Alert([html.Strong("API. "),
                   "GET /api/v1/datasets lists the datasets. GET /api/v1/datasets/NAME returns "
                   "JSON pages: ?limit=1..1000 (default 100) and ?offset=N, plus filters on the "
                   "columns named for each dataset (exact match), e.g. "
                   "/api/v1/datasets/indicators?geo_code=E92000001&limit=50. The response "
                   "gives total and next_offset. Add .csv to the name for the whole dataset as "
                   "CSV. GET /api/v1/scenario-results?change=SERVICE:±Npct (or ±£ a year; "
                   "several changes comma-separated) or ?scenario=ID returns every figure the "
                   "scenario model gives for it (add persist=oneoff for a one-off change)."],
                  color="light"),
        *rows,
    ])
