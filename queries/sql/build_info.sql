-- one row: the warehouse build, its borough and when its data were last loaded
-- params: none
select b.build_id, b.built_at, b.borough_code, b.borough_name, b.is_demo, b.latest_year,
       (select max(finished_at) from load_log where status = 'loaded') as last_loaded_at,
       (select string_agg(distinct source, '; ' order by source) from indicator) as sources
from build_info as b
