-- spill-over links whose effect ratio lies outside its own interval
select link_id, effect_ratio_low, effect_ratio, effect_ratio_high
from spillover_link
where not (effect_ratio_low <= effect_ratio and effect_ratio <= effect_ratio_high)
