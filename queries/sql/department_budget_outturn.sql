-- one row per service of one department in one financial year: payments, budget and outturn
-- (cash), whole services before allocation to investment areas; missing numbers come back as
-- NaN, not NULL (pandas reads NULLs through a slow masked path)
-- params: $dept_code, $year
select
    service_code,
    service_name,
    statutory,
    spend_gbp,
    coalesce(budget_gbp, 'nan'::double) as budget_gbp,
    coalesce(outturn_gbp, 'nan'::double) as outturn_gbp
from mart_spend_service_year
where dept_code = $dept_code and financial_year = $year
order by spend_gbp desc, service_code
