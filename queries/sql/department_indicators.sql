-- one row per investment area x indicator (the borough's latest period) for the areas one
-- department funds: the interval at the chosen level ($level: '95' or '998'), compared with
-- the chosen benchmark ($benchmark: 'england' or 'region') by the indicator's own method (with
-- that method and the polarity), with the recent trend. Missing numbers come back as NaN (the
-- mart stores them so); the page puts those needing attention first
-- params: $dept_code, $benchmark, $level
select
    area_code,
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
from mart_department_indicator
where dept_code = $dept_code
