-- one row per financial year of a service's activity: its units that year and the borough's
-- value of an indicator the year after (an observed association, not evidence of cause)
-- params: $service_code, $indicator_id
with activity as (
    select
        financial_year,
        activity_unit,
        units,
        cast(cast(left(financial_year, 4) as integer) + 1 as varchar) || '/'
        || lpad(cast((cast(left(financial_year, 4) as integer) + 2) % 100 as varchar), 2, '0')
        as next_year
    from service_activity
    where service_code = $service_code
),

outcome as (
    select iv.period, iv.numerator, iv.value, iv.lower95, iv.upper95
    from indicator_value as iv
    join geography as g on iv.geo_code = g.geo_code
    where
        iv.indicator_id = $indicator_id
        and g.geo_role = 'borough'
        and iv.sex = 'Persons'
        and iv.category = ''
)

select
    a.financial_year,
    a.activity_unit,
    a.units,
    a.next_year,
    o.numerator as outcome_count,
    o.value as outcome_value,
    o.lower95 as outcome_lower95,
    o.upper95 as outcome_upper95,
    i.indicator_name,
    i.unit_label
from activity as a
left join outcome as o on a.next_year = o.period
cross join (
    select indicator_name, unit_label from indicator where indicator_id = $indicator_id
) as i
order by a.financial_year
