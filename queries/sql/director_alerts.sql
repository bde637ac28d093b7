-- one row per borough indicator in an area the department funds, alerts first
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
       l.unit_label, l.vs_england_95, l.vs_england_998, l.trend,
       (l.vs_england_95 = 'worse' or l.trend like '%getting worse') as alert
from areas as a
join outcome_link as ol using (area_code)
join latest as l using (indicator_id)
order by alert desc, (l.vs_england_998 = 'worse') desc, ol.area_code, l.indicator_id
