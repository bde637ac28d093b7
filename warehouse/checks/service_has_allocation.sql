-- services that fund no investment area
select s.service_code
from service as s
left join service_allocation as sa using (service_code)
where sa.service_code is null
