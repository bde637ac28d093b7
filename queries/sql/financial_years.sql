-- one row per financial year with spend (the allow-list for year inputs)
-- params: none
select distinct financial_year
from mart_spend_service_year
order by financial_year
