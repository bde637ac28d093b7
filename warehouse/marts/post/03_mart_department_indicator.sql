-- one row per council department x investment area it funds x indicator measuring that area,
-- at the indicator's latest period (the director view's grain)
create table mart_department_indicator as
with funds as (
    select distinct dept_code, area_code from mart_area_service_year
)
select f.dept_code, ai.*
from funds as f
join mart_area_indicator as ai using (area_code)
where ai.is_latest
order by f.dept_code, ai.area_code, ai.role_order, ai.indicator_id
