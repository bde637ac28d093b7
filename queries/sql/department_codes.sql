-- one row per council department: code and name (the allow-list for department inputs)
-- params: none
select d.dept_code, d.dept_name
from department as d
join organisation as o using (org_code)
where o.is_council
order by d.dept_name
