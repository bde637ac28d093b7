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
    select ol.area_code, iv.period as financial_year, ol.outcome_unit_label,
           iv.indicator_id as outcome_indicator_id,
           coalesce(iv.numerator, iv.value) as outcome_units,
           -- limits on the count: the value's interval scaled to the count
           coalesce(iv.numerator, iv.value) * iv.lower95 / nullif(iv.value, 0) as outcome_lower,
           coalesce(iv.numerator, iv.value) * iv.upper95 / nullif(iv.value, 0) as outcome_upper
    from outcome_link as ol
    join indicator_value as iv using (indicator_id)
    join geography as g on g.geo_code = iv.geo_code and g.geo_role = 'borough'
    where ol.role = 'outcome units' and iv.sex = 'Persons' and iv.category = ''
)
select m.area_code, m.financial_year, m.allocated_spend_gbp, m.allocated_spend_real_gbp,
       u.outcome_indicator_id, u.outcome_unit_label, u.outcome_units, u.outcome_lower,
       u.outcome_upper
from money as m
left join units as u using (area_code, financial_year)
order by m.area_code, m.financial_year
