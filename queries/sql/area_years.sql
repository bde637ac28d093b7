-- one row per investment area x financial year: spend, outcome units, cost per outcome
-- params: $area_code
select *
from mart_area_year
where area_code = $area_code
order by financial_year
