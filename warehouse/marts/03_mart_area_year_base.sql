-- one row per investment area x financial year: allocated spend and the outcome units
create table mart_area_year_base as
with money as (
    select area_code, financial_year,
           sum(allocated_spend_gbp) as allocated_spend_gbp,
           sum(allocated_spend_real_gbp) as allocated_spend_real_gbp
    from mart_area_service_year
    group by all
),
units as (
    -- outcome units are a count: the value of a "count" indicator, else the numerator (never
    -- a rate or a percentage). Only a count of events (the numerator of an event rate, such as
    -- admissions or falls) is a random Poisson count with an interval; an administrative count
    -- (homes meeting a standard, people supported) has none.
    select ol.area_code, iv.period as financial_year, ol.outcome_unit_label,
           iv.indicator_id as outcome_indicator_id,
           case when lower(i.value_type) = 'count' then iv.value else iv.numerator end
               as outcome_units,
           case
               when lower(i.value_type) like '%rate%' or lower(i.value_type) like '%ratio%'
                   then 'events'
               else 'administrative'
           end as outcome_count_kind,
           -- limits on an event count: the rate's interval scaled to the count
           case
               when (lower(i.value_type) like '%rate%' or lower(i.value_type) like '%ratio%')
                   then iv.numerator * iv.lower95 / nullif(iv.value, 0)
           end as outcome_lower,
           case
               when (lower(i.value_type) like '%rate%' or lower(i.value_type) like '%ratio%')
                   then iv.numerator * iv.upper95 / nullif(iv.value, 0)
           end as outcome_upper
    from outcome_link as ol
    join indicator_value as iv using (indicator_id)
    join indicator as i using (indicator_id)
    join geography as g on g.geo_code = iv.geo_code and g.geo_role = 'borough'
    where ol.role = 'outcome units' and iv.sex = 'Persons' and iv.category = ''
)
select m.area_code, m.financial_year, m.allocated_spend_gbp, m.allocated_spend_real_gbp,
       u.outcome_indicator_id, u.outcome_unit_label, u.outcome_units, u.outcome_count_kind,
       u.outcome_lower, u.outcome_upper
from money as m
left join units as u using (area_code, financial_year)
order by m.area_code, m.financial_year
