-- one row per service x investment area in one financial year for one department: the
-- allocation share and the allocated spend, budget and outturn (cash)
-- params: $dept_code, $year
select
    m.service_code,
    m.service_name,
    m.statutory,
    m.area_code,
    a.area_name,
    m.share,
    m.allocated_spend_gbp,
    m.allocated_budget_gbp,
    m.allocated_outturn_gbp
from mart_area_service_year as m
join investment_area as a using (area_code)
where m.dept_code = $dept_code and m.financial_year = $year
order by m.service_code, a.sort_order
