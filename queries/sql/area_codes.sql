-- one row per investment area: its code and name (the allow-list for area inputs)
-- params: none
select area_code, area_name, outcome_statement
from investment_area
order by sort_order
