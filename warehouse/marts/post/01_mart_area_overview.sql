-- one row per investment area: the latest year's spend, cost per outcome and its change,
-- and the direction of the area's main outcome indicator (read through its polarity, compared
-- with England by its own method)
create table mart_area_overview as
with latest as (
    select area_code, max(financial_year) as financial_year
    from mart_area_year
    where outcome_units is not null
    group by area_code
),
main_ind as (
    select ol.area_code, mi.indicator_id, mi.indicator_name, mi.unit_label, mi.polarity,
           mi.period, mi.value, mi.lower95, mi.upper95, mi.vs_england, mi.comparison_method,
           mi.comparison_level, mi.england_value
    from outcome_link as ol
    join mart_indicator as mi on mi.indicator_id = ol.indicator_id and mi.geo_role = 'borough'
    where ol.role = 'main'
    qualify row_number() over (partition by ol.area_code order by mi.period desc) = 1
)
select
    a.area_code,
    a.area_name,
    a.outcome_statement,
    a.sort_order,
    y.financial_year,
    y.allocated_spend_gbp,
    y.allocated_spend_real_gbp,
    y.allocated_spend_change_pct,
    y.outcome_units,
    y.outcome_unit_label,
    y.cost_per_outcome_gbp,
    y.cost_per_outcome_lower_gbp,
    y.cost_per_outcome_upper_gbp,
    y.cost_per_outcome_change_pct,
    y.cost_per_outcome_real_gbp,
    y.cost_per_outcome_real_change_pct,
    y.real_terms_base_year,
    m.indicator_id as main_indicator_id,
    m.indicator_name as main_indicator_name,
    m.unit_label as main_indicator_unit,
    m.polarity as main_indicator_polarity,
    m.period as main_indicator_period,
    m.value as main_indicator_value,
    m.lower95 as main_indicator_lower95,
    m.upper95 as main_indicator_upper95,
    m.england_value as main_indicator_england_value,
    m.vs_england as main_indicator_vs_england,
    m.comparison_method as main_indicator_comparison_method,
    m.comparison_level as main_indicator_comparison_level,
    t.trend as main_indicator_trend
from investment_area as a
join latest as l using (area_code)
join mart_area_year as y on y.area_code = l.area_code and y.financial_year = l.financial_year
left join main_ind as m on m.area_code = a.area_code
left join mart_indicator_trend as t
    on t.indicator_id = m.indicator_id
    and t.geo_code = (select geo_code from geography where geo_role = 'borough')
order by a.sort_order
