-- duplicate keys in the marts (marts are built by queries, so no declared primary key guards them)
select 'mart_spend_service_year' as mart, service_code || ' ' || financial_year as key_value
from mart_spend_service_year group by service_code, financial_year having count(*) > 1
union all
select 'mart_area_year', area_code || ' ' || financial_year
from mart_area_year group by area_code, financial_year having count(*) > 1
union all
select 'mart_indicator', indicator_id::varchar || ' ' || geo_code || ' ' || period
from mart_indicator group by indicator_id, geo_code, period having count(*) > 1
