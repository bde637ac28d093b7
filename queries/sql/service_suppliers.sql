-- one row per supplier x expense type paid by a service in a year
-- params: $service_code, $year
select supplier_name, expense_type, spend_gbp, n_payments
from mart_supplier_service_year
where service_code = $service_code and financial_year = $year
order by spend_gbp desc, supplier_name, expense_type
