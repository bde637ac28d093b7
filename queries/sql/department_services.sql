-- one row per service x investment area x financial year for one department
-- params: $dept_code
select *
from mart_area_service_year
where dept_code = $dept_code
order by service_code, area_code, financial_year
