"""Overview: every investment area at a glance — spend, cost per outcome, main outcome."""

from __future__ import annotations

import pandas as pd

from dashboard import data, downloads
from dashboard.views.blocks import ChartBlock, csv_url
from dashboard.views.format import (
    comparison_badge,
    comparison_label,
    method_name,
    money,
    number,
    pct_change,
    trend_text,
)

PREFIX = "overview"


@downloads.dataset("overview", (), lambda: {})
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
        "compared_with_england": [comparison_label(c, k) for c, k in zip(
            df["main_indicator_vs_england"], df["main_indicator_comparison_method"],
            strict=True)],
        "comparison_method": [method_name(k, v) for k, v in zip(
            df["main_indicator_comparison_method"], df["main_indicator_comparison_level"],
            strict=True)],
        "recent_trend": df["main_indicator_trend"],
    })


def card(row) -> dict:
    """One investment area's card: its figures as the reader reads them."""
    interval = ""
    if pd.notna(row.cost_per_outcome_lower_gbp):
        interval = (f" (95% interval {money(row.cost_per_outcome_lower_gbp)} to "
                    f"{money(row.cost_per_outcome_upper_gbp)})")
    kind = row.main_indicator_comparison_method
    badge = comparison_badge(comparison_label(row.main_indicator_vs_england, kind), "England",
                             kind, row.main_indicator_comparison_level,
                             row.main_indicator_polarity)
    return {
        "code": row.area_code, "name": row.area_name, "statement": row.outcome_statement,
        "year": row.financial_year, "spend": money(row.allocated_spend_gbp),
        "spend_change": pct_change(row.allocated_spend_change_pct),
        "unit": row.outcome_unit_label, "cost": money(row.cost_per_outcome_gbp),
        "interval": interval,
        "real_change": pct_change(row.cost_per_outcome_real_change_pct),
        "base_year": row.real_terms_base_year,
        "indicator": row.main_indicator_name,
        "indicator_value": f"{number(row.main_indicator_value, 1)} {row.main_indicator_unit} "
                           f"({row.main_indicator_period})",
        "comparison": badge,
        "trend": trend_text(row.main_indicator_trend),
    }


def summary(df: pd.DataFrame) -> str:
    """The finding: total spend, and the areas worse than England or getting worse."""
    # significantly worse by the indicator's own interval method (a quintile is not a test)
    worse = df[(df["main_indicator_vs_england"] == "worse")
               & (df["main_indicator_comparison_method"] == "interval")]["area_name"].tolist()
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


@data.memoize  # the same for everyone: keyed by the warehouse version only
def overview() -> dict:
    """The page: headline, one card per area, and every figure in one table with its CSV."""
    df = data.query("area_overview")
    return {
        "headline": summary(df),
        "cards": [card(r) for r in df.itertuples()],
        "table": ChartBlock(f"{PREFIX}-all", "Every investment area in one table",
                            "The figures on the cards above, with their intervals, for download.",
                            None, overview_table(), csv_url("overview")),
    }
