-- one row per indicator x place x period measuring the area, with benchmark comparisons
-- params: $area_code
select ol.role, ol.outcome_unit_label, mi.*, t.trend, t.reason as trend_reason
from outcome_link as ol
join mart_indicator as mi using (indicator_id)
left join mart_indicator_trend as t using (indicator_id, geo_code)
where ol.area_code = $area_code
order by case ol.role when 'main' then 0 when 'supporting' then 1 else 2 end,
         mi.indicator_id, mi.geo_role, mi.period
