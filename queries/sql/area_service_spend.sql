-- one row per service funding one investment area in one financial year: the allocation
-- share and the allocated spend (cash and real), budget and outturn
-- params: $area_code, $year
select
    service_code,
    service_name,
    dept_code,
    dept_name,
    statutory,
    share,
    allocated_spend_gbp,
    allocated_spend_real_gbp,
    allocated_budget_gbp,
    allocated_outturn_gbp
from mart_area_service_year
where area_code = $area_code and financial_year = $year
order by allocated_spend_gbp desc, service_code
