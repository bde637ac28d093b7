-- one row per borough indicator in an area the department funds, alerts first (worse than
-- England by the indicator's own interval method, or getting worse)
-- params: $dept_code
with areas as (
    select distinct area_code from mart_area_service_year where dept_code = $dept_code
),
latest as (
    select mi.*, t.trend
    from mart_indicator as mi
    left join mart_indicator_trend as t using (indicator_id, geo_code)
    where mi.geo_role = 'borough'
    qualify row_number() over (partition by mi.indicator_id order by mi.period desc) = 1
)
select ol.area_code, l.indicator_id, l.indicator_name, l.period, l.value, l.lower95, l.upper95,
       l.unit_label, l.vs_england, l.comparison_method, l.comparison_level, l.trend,
       ((l.vs_england = 'worse' and l.comparison_method = 'interval')
        or l.trend like '%getting worse') as alert
from areas as a
join outcome_link as ol using (area_code)
join latest as l using (indicator_id)
order by alert desc, ol.area_code, l.indicator_id
