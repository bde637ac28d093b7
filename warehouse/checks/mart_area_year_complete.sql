-- area-years in the mart without outcome units or with a non-positive cost per outcome
-- severity: warning (completeness: a council's year of spend may have no outcome data yet)
select area_code, financial_year
from mart_area_year
where outcome_units is null or cost_per_outcome_gbp is null or isnan(cost_per_outcome_gbp)
   or cost_per_outcome_gbp <= 0
