-- one row per investment area: latest spend, cost per outcome and main indicator
-- params: none
select *
from mart_area_overview
order by sort_order
