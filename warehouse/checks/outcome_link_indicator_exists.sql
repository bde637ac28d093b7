-- outcome links to indicators with no values for the borough
-- severity: warning (completeness: the borough's indicator values may come later)
select ol.area_code, ol.indicator_id
from outcome_link as ol
where not exists (
    select 1 from indicator_value as iv
    join geography as g on g.geo_code = iv.geo_code and g.geo_role = 'borough'
    where iv.indicator_id = ol.indicator_id
)
