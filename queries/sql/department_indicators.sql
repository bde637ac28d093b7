-- one row per investment area x indicator (the borough's latest period) for the areas one
-- department funds, compared with the chosen benchmark ($benchmark: 'england' or 'region') at
-- the chosen level ($level: '95' or '998'), with the recent trend. Missing numbers come back
-- as NaN, not NULL (pandas reads NULLs through a slow masked path); the page puts those
-- needing attention first
-- params: $dept_code, $benchmark, $level
select
    ol.area_code,
    mi.indicator_id,
    mi.indicator_name,
    mi.unit_label,
    mi.period,
    coalesce(mi.numerator, 'nan'::double) as numerator,
    coalesce(mi.value, 'nan'::double) as value,
    coalesce(case when $level = '998' then mi.lower998 else mi.lower95 end, 'nan'::double)
        as lower_ci,
    coalesce(case when $level = '998' then mi.upper998 else mi.upper95 end, 'nan'::double)
        as upper_ci,
    coalesce(
        case when $benchmark = 'region' then mi.region_value else mi.england_value end,
        'nan'::double
    ) as benchmark_value,
    case
        when $benchmark = 'region' and $level = '998' then mi.vs_region_998
        when $benchmark = 'region' then mi.vs_region_95
        when $level = '998' then mi.vs_england_998
        else mi.vs_england_95
    end as comparison,
    t.trend
from outcome_link as ol
join mart_indicator_trend as t on t.indicator_id = ol.indicator_id
join mart_indicator as mi
    on mi.indicator_id = t.indicator_id
    and mi.geo_code = t.geo_code
    and mi.period = t.latest_period
where mi.geo_role = 'borough'
    and ol.area_code in (
        select area_code from mart_area_service_year where dept_code = $dept_code
    )
