-- spend lines whose service_code is not a service; the spend loader refuses them too
select s.source_file, s.line_no, s.service_code
from spend as s
anti join service as v on v.service_code = s.service_code
