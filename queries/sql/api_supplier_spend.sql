-- one row per service x financial year x supplier x expense type
-- params: none
select service_code, financial_year, supplier_name, expense_type, spend_gbp, n_payments
from mart_supplier_service_year
order by service_code, financial_year, spend_gbp desc
