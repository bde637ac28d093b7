-- one row per service x financial year x supplier x expense type: payments
create table mart_supplier_service_year as
select service_code, financial_year, supplier_name, expense_type,
       sum(amount_gbp)::double as spend_gbp, count(*) as n_payments
from spend
where service_code is not null -- spend not yet allocated has no service
group by all
order by service_code, financial_year, spend_gbp desc, supplier_name, expense_type
