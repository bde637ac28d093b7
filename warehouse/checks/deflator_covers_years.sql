-- financial years with spend but no GDP deflator (real terms would be missing)
-- severity: warning (completeness: the deflator series may not reach the latest year yet)
select distinct financial_year
from spend
where financial_year not in (select financial_year from gdp_deflator)
