-- allocated spend lines whose service_code is not a service (a null service_code is spend not
-- yet allocated); the spend loader refuses them too
select s.source_file, s.line_no, s.service_code
from spend as s
anti join service as v on v.service_code = s.service_code
where s.service_code is not null
