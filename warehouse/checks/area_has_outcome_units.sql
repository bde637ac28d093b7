-- investment areas with no outcome-units indicator or no main indicator
-- severity: warning (completeness of the mapping's outcome links)
select a.area_code, r.role
from investment_area as a
cross join (values ('outcome units'), ('main')) as r (role)
left join outcome_link as ol on ol.area_code = a.area_code and ol.role = r.role
where ol.area_code is null
