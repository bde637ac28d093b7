-- indicator values outside their own confidence interval, or 99.8% narrower than 95%
select indicator_id, geo_code, period, value, lower95, upper95, lower998, upper998
from indicator_value
where (lower95 is not null and (value < lower95 - 1e-6 or value > upper95 + 1e-6))
   or (lower998 is not null and lower95 is not null
       and (lower998 > lower95 + 1e-6 or upper998 < upper95 - 1e-6))
