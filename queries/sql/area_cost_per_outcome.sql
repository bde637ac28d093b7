-- one row per financial year for one investment area: allocated spend, outcome units and cost
-- per outcome with its 95% interval (only where the outcome is a count of events: an
-- administrative count has no interval, and interval_note says why), in cash or real terms
-- ($terms: 'cash' or 'real');
-- missing numbers come back as NaN, not NULL (pandas reads NULLs through a slow masked path)
-- params: $area_code, $terms
select
    financial_year,
    outcome_unit_label,
    coalesce(outcome_count_kind, '') as outcome_count_kind,
    case outcome_count_kind
        when 'events' then 'The interval comes from the count of events (a Poisson count).'
        when 'administrative' then 'No interval: the outcome is an administrative count (every '
            || 'case is counted, not a random number of events), so there is no sampling or '
            || 'Poisson uncertainty to show.'
        else 'No cost per outcome: the outcome has no count (a rate or a percentage is never '
            || 'divided into spend).'
    end as interval_note,
    real_terms_base_year,
    coalesce(
        case when $terms = 'real' then allocated_spend_real_gbp else allocated_spend_gbp end,
        'nan'::double
    ) as allocated_spend_gbp,
    coalesce(
        case
            when $terms = 'real' then allocated_spend_real_change_pct
            else allocated_spend_change_pct
        end,
        'nan'::double
    ) as allocated_spend_change_pct,
    coalesce(outcome_units, 'nan'::double) as outcome_units,
    coalesce(outcome_units_change_pct, 'nan'::double) as outcome_units_change_pct,
    coalesce(
        case when $terms = 'real' then cost_per_outcome_real_gbp else cost_per_outcome_gbp end,
        'nan'::double
    ) as cost_per_outcome_gbp,
    coalesce(
        case
            when $terms = 'real' then cost_per_outcome_real_lower_gbp
            else cost_per_outcome_lower_gbp
        end,
        'nan'::double
    ) as cost_per_outcome_lower_gbp,
    coalesce(
        case
            when $terms = 'real' then cost_per_outcome_real_upper_gbp
            else cost_per_outcome_upper_gbp
        end,
        'nan'::double
    ) as cost_per_outcome_upper_gbp,
    coalesce(
        case
            when $terms = 'real' then cost_per_outcome_real_change_pct
            else cost_per_outcome_change_pct
        end,
        'nan'::double
    ) as cost_per_outcome_change_pct
from mart_area_year
where area_code = $area_code
order by financial_year
