-- one row per indicator x period for the borough, for the indicators measuring one investment
-- area (main outcome first, then supporting, then the outcome count): value, count, interval
-- at the chosen level ($level: '95' or '998'), the chosen benchmark's value ($benchmark:
-- 'england' or 'region') and the comparison with it by the indicator's own method (with that
-- method and the polarity), and the recent trend; missing numbers come back as NaN (the mart
-- stores them so)
-- params: $area_code, $benchmark, $level
select
    role,
    indicator_id,
    indicator_name,
    unit_label,
    period,
    numerator,
    value,
    case when $level = '998' then lower998 else lower95 end as lower_ci,
    case when $level = '998' then upper998 else upper95 end as upper_ci,
    case when $benchmark = 'region' then region_value else england_value end as benchmark_value,
    case when $benchmark = 'region' then vs_region else vs_england end as comparison,
    comparison_method,
    comparison_level,
    polarity,
    trend
from mart_area_indicator
where area_code = $area_code
order by role_order, indicator_id, period
