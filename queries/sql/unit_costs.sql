-- one row per cost item (an A&E attendance, an hour of home care): its payer, £ and range
-- params: none
select
    cost_item,
    label,
    payer_code,
    unit_cost_gbp,
    unit_cost_low_gbp,
    unit_cost_high_gbp,
    price_year,
    source
from unit_cost
order by cost_item
