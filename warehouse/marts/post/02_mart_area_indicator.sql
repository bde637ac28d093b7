-- one row per investment area x indicator x period for the borough: value, intervals at both
-- levels, both benchmarks and the comparisons with them (at both levels, and by the
-- indicator's own method with that method), the recent trend, and whether the period is the
-- latest. Missing numbers are NaN, not NULL (the pages read NaN faster).
create table mart_area_indicator as
select
    ol.area_code,
    ol.role,
    case ol.role when 'main' then 0 when 'supporting' then 1 else 2 end as role_order,
    mi.indicator_id,
    mi.indicator_name,
    mi.unit_label,
    mi.polarity,
    mi.period,
    coalesce(mi.numerator, 'nan'::double) as numerator,
    coalesce(mi.value, 'nan'::double) as value,
    coalesce(mi.lower95, 'nan'::double) as lower95,
    coalesce(mi.upper95, 'nan'::double) as upper95,
    coalesce(mi.lower998, 'nan'::double) as lower998,
    coalesce(mi.upper998, 'nan'::double) as upper998,
    coalesce(mi.england_value, 'nan'::double) as england_value,
    coalesce(mi.region_value, 'nan'::double) as region_value,
    mi.vs_england_95,
    mi.vs_england_998,
    mi.vs_region_95,
    mi.vs_region_998,
    mi.vs_england,
    mi.vs_region,
    mi.comparison_method,
    mi.comparison_level,
    t.trend,
    coalesce(mi.period = t.latest_period, false) as is_latest
from outcome_link as ol
join mart_indicator as mi on mi.indicator_id = ol.indicator_id and mi.geo_role = 'borough'
left join mart_indicator_trend as t
    on t.indicator_id = mi.indicator_id and t.geo_code = mi.geo_code
order by ol.area_code, role_order, mi.indicator_id, mi.period
