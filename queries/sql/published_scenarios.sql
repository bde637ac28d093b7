-- one row per published scenario x service changed: the change as the scenario states it
-- params: none
select
    s.scenario_id,
    s.name,
    s.description,
    s.owner,
    s.created_at,
    c.service_code,
    c.change_type,
    c.change_value
from scenario as s
join scenario_change as c using (scenario_id)
where s.status = 'published'
order by s.name, s.scenario_id, c.service_code
