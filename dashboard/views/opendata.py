"""Open data: every published dataset as CSV and JSON, the API and a data dictionary."""

from __future__ import annotations

from dashboard import api, data

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
    "vs_england": "Compared with England by the indicator's own method (comparison_method): "
                  "better, similar, worse, higher/lower, or a quintile label",
    "vs_region": "Compared with the region by the indicator's own method (comparison_method)",
    "comparison_method": "The indicator's Fingertips comparison method: interval (at "
                         "comparison_level), quintiles or none",
    "comparison_level": "Confidence level of an interval comparison: 0.95 or 0.998",
    "service_code": "Service code (the council's own)",
    "spend_gbp": "Payments in the year, £ cash, credit notes netted",
    "effect_ratio": "Rate ratio of events with the service vs without (below 1 prevents)",
    "evidence_grade": "GRADE certainty of the effect: high, moderate, low, very low",
    "payer_code": "Department or organisation that bears the cost",
    "unit_cost_gbp": "Cost of one item to its payer, £ at the price year",
}


def datasets() -> list[dict]:
    """Each published dataset: its name, title, description, filters and columns explained."""
    return [{"name": ds.name, "title": ds.title, "description": ds.description,
             "filters": ", ".join(ds.filters),
             "columns": [(c, DICTIONARY.get(c, "")) for c in data.query(ds.query).columns]}
            for ds in api.DATASETS.values()]
