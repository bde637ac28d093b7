-- one row per spill-over link: a service's activity -> an outcome -> a cost item paid by a payer
-- params: none
select
    l.link_id,
    l.service_code,
    s.service_name,
    s.dept_code as funder_payer_code,
    l.activity_unit,
    l.activity_unit_cost_gbp,
    l.outcome_code,
    l.outcome_label,
    l.events_per_unit,
    l.effect_ratio,
    l.effect_ratio_low,
    l.effect_ratio_high,
    l.cost_item,
    u.label as cost_item_label,
    l.payer_code,
    l.lag_years,
    l.drop_off,
    l.evidence_grade,
    l.source
from spillover_link as l
join service as s using (service_code)
join unit_cost as u using (cost_item)
order by l.service_code, l.link_id
