-- one row per expense type paid by one service in one financial year (payments over £500
-- from the spend transactions)
-- params: $service_code, $year
select
    expense_type,
    sum(spend_gbp) as spend_gbp,
    sum(n_payments)::integer as n_payments
from mart_supplier_service_year
where service_code = $service_code and financial_year = $year
group by expense_type
order by spend_gbp desc, expense_type
