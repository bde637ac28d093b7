-- one row per service x financial year: payments, budget, outturn, activity
-- params: none
select service_code, service_name, dept_code, dept_name, statutory, financial_year, spend_gbp,
       n_payments, budget_gbp, outturn_gbp, activity_units, activity_unit, spend_real_gbp,
       real_terms_base_year
from mart_spend_service_year
order by service_code, financial_year
