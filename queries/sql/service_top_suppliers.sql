-- one row per supplier paid by one service in one financial year: the ten largest by spend
-- (payments over £500 from the spend transactions)
-- params: $service_code, $year
select
    supplier_name,
    sum(spend_gbp) as spend_gbp,
    sum(n_payments)::integer as n_payments
from mart_supplier_service_year
where service_code = $service_code and financial_year = $year
group by supplier_name
order by spend_gbp desc, supplier_name
limit 10
