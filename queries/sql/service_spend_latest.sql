-- one row per service: its department and its spend in the latest financial year with spend
-- params: none
select
    s.service_code,
    s.service_name,
    s.dept_code,
    d.dept_name,
    s.statutory,
    s.activity_unit,
    y.latest_year as financial_year,
    coalesce(m.spend_gbp, 0) as spend_gbp,
    m.activity_units
from service as s
join department as d using (dept_code)
cross join (select max(financial_year) as latest_year from mart_spend_service_year) as y
left join mart_spend_service_year as m
    on m.service_code = s.service_code and m.financial_year = y.latest_year
order by s.service_code
