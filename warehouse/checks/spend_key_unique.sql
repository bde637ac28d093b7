-- spend lines sharing the key (source_file, line_no); the spend loader refuses them too
select source_file, line_no, count(*) as n_rows
from spend
group by source_file, line_no
having count(*) > 1
