-- one row per indicator x period for the borough, for the indicators measuring one investment
-- area (main outcome first, then supporting, then the outcome count): value, count, interval
-- at the chosen level ($level: '95' or '998'), the chosen benchmark's value ($benchmark:
-- 'england' or 'region') and the comparison with it, and the recent trend; missing numbers
-- come back as NaN, not NULL (pandas reads NULLs through a slow masked path)
-- params: $area_code, $benchmark, $level
select
    ol.role,
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
join mart_indicator as mi on mi.indicator_id = ol.indicator_id and mi.geo_role = 'borough'
left join mart_indicator_trend as t
    on t.indicator_id = mi.indicator_id and t.geo_code = mi.geo_code
where ol.area_code = $area_code
order by case ol.role when 'main' then 0 when 'supporting' then 1 else 2 end,
         mi.indicator_id, mi.period
