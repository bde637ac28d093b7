-- services whose investment-area shares do not sum to 1
select service_code, sum(share) as total_share
from service_allocation
group by service_code
having abs(sum(share) - 1) > 1e-9
