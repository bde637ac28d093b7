-- one row per service x investment area: the share of the service's spend given to the area
-- params: none
select service_code, area_code, share
from service_allocation
order by area_code, service_code
