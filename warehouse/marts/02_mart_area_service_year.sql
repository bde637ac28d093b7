-- one row per investment area x service x financial year: spend allocated by share
create table mart_area_service_year as
select
    sa.area_code,
    m.service_code,
    m.service_name,
    m.dept_code,
    m.dept_name,
    m.statutory,
    m.financial_year,
    sa.share,
    m.spend_gbp * sa.share as allocated_spend_gbp,
    m.spend_real_gbp * sa.share as allocated_spend_real_gbp,
    m.budget_gbp * sa.share as allocated_budget_gbp,
    m.outturn_gbp * sa.share as allocated_outturn_gbp
from mart_spend_service_year as m
join service_allocation as sa using (service_code)
order by sa.area_code, m.service_code, m.financial_year
