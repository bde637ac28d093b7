-- one row per payer (a department of the council, the NHS or the police) with its organisation
-- params: none
select
    d.dept_code as payer_code,
    d.dept_name as payer_label,
    d.org_code as organisation_code,
    o.org_name as organisation_name,
    o.org_type,
    o.is_council
from department as d
join organisation as o using (org_code)
order by o.is_council desc, o.org_type, d.dept_name
