-- one row per investment area x financial year: spend, outcome units, cost per outcome
-- params: none
select area_code, financial_year, allocated_spend_gbp, allocated_spend_real_gbp,
       outcome_indicator_id, outcome_unit_label, outcome_units, outcome_lower, outcome_upper,
       cost_per_outcome_gbp, cost_per_outcome_lower_gbp, cost_per_outcome_upper_gbp,
       cost_per_outcome_real_gbp, cost_per_outcome_real_lower_gbp,
       cost_per_outcome_real_upper_gbp, real_terms_base_year
from mart_area_year
order by area_code, financial_year
