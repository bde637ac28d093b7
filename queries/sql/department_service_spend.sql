-- one row per service x investment area in one financial year for one department: the
-- allocation share and the allocated spend, budget and outturn (cash); missing numbers come
-- back as NaN, not NULL (pandas reads NULLs through a slow masked path)
-- params: $dept_code, $year
select
    service_code,
    service_name,
    statutory,
    area_code,
    share,
    coalesce(allocated_spend_gbp, 'nan'::double) as allocated_spend_gbp,
    coalesce(allocated_budget_gbp, 'nan'::double) as allocated_budget_gbp,
    coalesce(allocated_outturn_gbp, 'nan'::double) as allocated_outturn_gbp
from mart_area_service_year
where dept_code = $dept_code and financial_year = $year
order by service_code, area_code
