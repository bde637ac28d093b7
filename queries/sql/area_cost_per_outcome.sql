-- one row per financial year for one investment area: allocated spend, outcome units and cost
-- per outcome with its 95% interval, in cash or real terms ($terms: 'cash' or 'real')
-- params: $area_code, $terms
select
    financial_year,
    outcome_unit_label,
    case when $terms = 'real' then allocated_spend_real_gbp else allocated_spend_gbp end
        as allocated_spend_gbp,
    case when $terms = 'real' then allocated_spend_real_change_pct
        else allocated_spend_change_pct end as allocated_spend_change_pct,
    outcome_units,
    outcome_lower,
    outcome_upper,
    outcome_units_change_pct,
    case when $terms = 'real' then cost_per_outcome_real_gbp else cost_per_outcome_gbp end
        as cost_per_outcome_gbp,
    case when $terms = 'real' then cost_per_outcome_real_lower_gbp
        else cost_per_outcome_lower_gbp end as cost_per_outcome_lower_gbp,
    case when $terms = 'real' then cost_per_outcome_real_upper_gbp
        else cost_per_outcome_upper_gbp end as cost_per_outcome_upper_gbp,
    case when $terms = 'real' then cost_per_outcome_real_change_pct
        else cost_per_outcome_change_pct end as cost_per_outcome_change_pct,
    real_terms_base_year
from mart_area_year
where area_code = $area_code
order by financial_year
