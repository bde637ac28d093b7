-- one row per spill-over link with its evidence
-- params: none
select link_id, service_code, activity_unit, activity_unit_cost_gbp, outcome_code,
       outcome_label, events_per_unit, effect_ratio, effect_ratio_low, effect_ratio_high,
       cost_item, payer_code, lag_years, drop_off, evidence_grade, source
from spillover_link
order by link_id
