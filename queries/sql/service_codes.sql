-- one row per service: code, name, department (the allow-list for service inputs)
-- params: none
select service_code, service_name, dept_code, statutory
from service
order by service_code
