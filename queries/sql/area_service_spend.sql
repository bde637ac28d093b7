-- one row per service funding one investment area in one financial year: the allocation
-- share and the allocated spend (cash and real), budget and outturn; missing numbers come
-- back as NaN, not NULL (pandas reads NULLs through a slow masked path)
-- params: $area_code, $year
select
    service_code,
    service_name,
    dept_name,
    statutory,
    share,
    coalesce(allocated_spend_gbp, 'nan'::double) as allocated_spend_gbp,
    coalesce(allocated_spend_real_gbp, 'nan'::double) as allocated_spend_real_gbp,
    coalesce(allocated_budget_gbp, 'nan'::double) as allocated_budget_gbp,
    coalesce(allocated_outturn_gbp, 'nan'::double) as allocated_outturn_gbp
from mart_area_service_year
where area_code = $area_code and financial_year = $year
order by allocated_spend_gbp desc, service_code
