-- one row per indicator x place x period, with intervals and benchmark comparisons (at both
-- levels, and by the indicator's own method with that method)
-- params: none
select indicator_id, indicator_name, value_type, polarity, unit_label, geo_code, geo_name,
       period, numerator, denominator, value, lower95, upper95, lower998, upper998,
       england_value, region_value, vs_england_95, vs_england_998, vs_region_95, vs_region_998,
       comparison_method, comparison_level, vs_england, vs_region
from mart_indicator
order by indicator_id, geo_code, period
