-- one row per service x financial year funding the area: allocated spend, budget, outturn
-- params: $area_code
select *
from mart_area_service_year
where area_code = $area_code
order by financial_year, allocated_spend_gbp desc
