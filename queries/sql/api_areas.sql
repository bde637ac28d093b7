-- one row per investment area: the overview figures for the open-data API
-- params: none
select area_code, area_name, outcome_statement, financial_year, allocated_spend_gbp,
       allocated_spend_change_pct, outcome_units, outcome_unit_label, cost_per_outcome_gbp,
       cost_per_outcome_lower_gbp, cost_per_outcome_upper_gbp, cost_per_outcome_real_gbp,
       cost_per_outcome_real_change_pct, real_terms_base_year, main_indicator_id,
       main_indicator_name, main_indicator_period, main_indicator_value,
       main_indicator_vs_england, main_indicator_trend
from mart_area_overview
order by sort_order
