-- unit costs outside their own low-high range
select cost_item, unit_cost_low_gbp, unit_cost_gbp, unit_cost_high_gbp
from unit_cost
where not (unit_cost_low_gbp <= unit_cost_gbp and unit_cost_gbp <= unit_cost_high_gbp)
