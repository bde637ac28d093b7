-- one row per investment area x indicator (the borough's latest period) for the areas one
-- department funds, compared with the chosen benchmark ($benchmark: 'england' or 'region') at
-- the chosen level ($level: '95' or '998'); alerts first: significantly worse than the
-- benchmark or significantly getting worse
-- params: $dept_code, $benchmark, $level
with areas as (
    select distinct area_code
    from mart_area_service_year
    where dept_code = $dept_code
),
latest as (
    select
        mi.indicator_id,
        mi.indicator_name,
        mi.polarity,
        mi.unit_label,
        mi.period,
        mi.numerator,
        mi.value,
        case when $level = '998' then mi.lower998 else mi.lower95 end as lower_ci,
        case when $level = '998' then mi.upper998 else mi.upper95 end as upper_ci,
        case when $benchmark = 'region' then mi.region_value else mi.england_value end
            as benchmark_value,
        case
            when $benchmark = 'region' and $level = '998' then mi.vs_region_998
            when $benchmark = 'region' then mi.vs_region_95
            when $level = '998' then mi.vs_england_998
            else mi.vs_england_95
        end as comparison,
        t.trend
    from mart_indicator as mi
    left join mart_indicator_trend as t
        on t.indicator_id = mi.indicator_id and t.geo_code = mi.geo_code
    where mi.geo_role = 'borough'
    qualify row_number() over (partition by mi.indicator_id order by mi.period desc) = 1
)
select
    ia.area_code,
    ia.area_name,
    l.*,
    coalesce(l.comparison = 'worse', false) as is_worse,
    coalesce(l.trend like '%getting worse', false) as is_worsening
from areas as a
join investment_area as ia using (area_code)
join outcome_link as ol using (area_code)
join latest as l using (indicator_id)
order by (is_worse or is_worsening) desc, is_worse desc, is_worsening desc, ia.sort_order,
         l.indicator_id
