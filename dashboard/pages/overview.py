"""Overview: every investment area at a glance — spend, cost per outcome, main outcome."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from dashboard import data, downloads
from dashboard.components import (
    chart_block,
    comparison_badge,
    money,
    number,
    pct_change,
    trend_text,
)

dash.register_page(__name__, path="/", title="Overview — Outcomes Budget Dashboard", order=0,
                   server_rendered=("public", "internal"),  # no callbacks: HTML in both
                   shared_cache=True)  # the same for every reader: see static_pages

PREFIX = "overview"


def _validate() -> dict:
    return {}


@downloads.dataset("overview", (), _validate)
def overview_table() -> pd.DataFrame:
    df = data.query("area_overview")
    return pd.DataFrame({
        "area_code": df["area_code"],
        "investment_area": df["area_name"],
        "financial_year": df["financial_year"],
        "allocated_spend_gbp": df["allocated_spend_gbp"].round(0),
        "spend_change_pct": df["allocated_spend_change_pct"].round(1),
        "outcome_unit": df["outcome_unit_label"],
        "outcome_units": df["outcome_units"],
        "cost_per_outcome_gbp": df["cost_per_outcome_gbp"].round(0),
        "cost_per_outcome_lower95_gbp": df["cost_per_outcome_lower_gbp"].round(0),
        "cost_per_outcome_upper95_gbp": df["cost_per_outcome_upper_gbp"].round(0),
        "cost_per_outcome_real_change_pct": df["cost_per_outcome_real_change_pct"].round(1),
        "real_terms_base_year": df["real_terms_base_year"],
        "main_indicator": df["main_indicator_name"],
        "main_indicator_period": df["main_indicator_period"],
        "main_indicator_value": df["main_indicator_value"].round(1),
        "main_indicator_unit": df["main_indicator_unit"],
        "compared_with_england": df["main_indicator_vs_england"],
        "recent_trend": df["main_indicator_trend"],
    })


def _card(row) -> dbc.Col:
    interval = ""
    if pd.notna(row.cost_per_outcome_lower_gbp):
        interval = (f" (95% interval {money(row.cost_per_outcome_lower_gbp)} to "
                    f"{money(row.cost_per_outcome_upper_gbp)})")
    body = dbc.Card(dbc.CardBody([
        html.H2(html.A(row.area_name, href=f"/area/{row.area_code}",
                       id=f"{PREFIX}-link-{row.area_code}"), className="h5"),
        html.P(row.outcome_statement, className="text-muted small"),
        html.Dl([
            html.Dt(f"Spend {row.financial_year}"),
            html.Dd([html.Span(money(row.allocated_spend_gbp), className="figure"),
                     html.Span(f" {pct_change(row.allocated_spend_change_pct)} on last year")]),
            html.Dt(f"Cost per {row.outcome_unit_label}"),
            html.Dd([html.Span(money(row.cost_per_outcome_gbp), className="figure"),
                     html.Span(interval, className="small"),
                     html.Br(),
                     html.Span(f"{pct_change(row.cost_per_outcome_real_change_pct)} in real "
                               f"terms ({row.real_terms_base_year} prices)")]),
            html.Dt(row.main_indicator_name),
            html.Dd([
                html.Span(f"{number(row.main_indicator_value, 1)} {row.main_indicator_unit} "
                          f"({row.main_indicator_period}) "),
                comparison_badge(row.main_indicator_vs_england),
                html.Br(),
                html.Span(trend_text(row.main_indicator_trend), className="small"),
            ]),
        ], className="mb-0"),
    ]), className="area-card", id=f"{PREFIX}-card-{row.area_code}")
    return dbc.Col(body, md=6, lg=4, className="mb-3")


def _summary(df: pd.DataFrame) -> str:
    worse = df[df["main_indicator_vs_england"] == "worse"]["area_name"].tolist()
    worsening = df[df["main_indicator_trend"].fillna("").str.contains("getting worse")][
        "area_name"].tolist()
    total = df["allocated_spend_gbp"].sum()
    parts = [f"The council spent {money(total)} across {len(df)} investment areas in "
             f"{df['financial_year'].max()}."]
    if worse:
        parts.append("Main outcome significantly worse than England: " + ", ".join(worse) + ".")
    if worsening:
        parts.append("Getting significantly worse: " + ", ".join(worsening) + ".")
    return " ".join(parts)


def layout(**_query) -> html.Div:
    return _content()


@data.memoize  # the same for everyone: keyed by the warehouse version only
def _content() -> html.Div:
    df = data.query("area_overview")
    table = overview_table()
    return html.Div([
        html.H1("Where the money goes, and what it buys", id=f"{PREFIX}-title"),
        html.P(_summary(df), className="headline", id=f"{PREFIX}-headline"),
        dbc.Row([_card(r) for r in df.itertuples()], id=f"{PREFIX}-cards"),
        chart_block(f"{PREFIX}-all", "Every investment area in one table",
                    "The figures on the cards above, with their intervals, for download.",
                    None, table, ("overview", {})),
    ])
