-- one row per service x financial year: payments, budget, outturn and activity, cash and real
create table mart_spend_service_year as
with paid as (
    select service_code, financial_year, sum(amount_gbp)::double as spend_gbp,
           count(*) as n_payments
    from spend
    group by all
),
book as (
    select service_code, financial_year,
           max(amount_gbp) filter (where version = 'approved')::double as budget_gbp,
           max(amount_gbp) filter (where version = 'outturn')::double as outturn_gbp
    from budget
    where published
    group by all
),
years as (
    select service_code, financial_year from paid
    union
    select service_code, financial_year from book
)
select
    y.service_code,
    s.service_name,
    s.dept_code,
    d.dept_name,
    s.statutory,
    y.financial_year,
    coalesce(p.spend_gbp, 0) as spend_gbp,
    coalesce(p.n_payments, 0) as n_payments,
    b.budget_gbp,
    b.outturn_gbp,
    a.units as activity_units,
    a.activity_unit,
    coalesce(p.spend_gbp, 0) * 100 / g.deflator as spend_real_gbp,
    g.base_year as real_terms_base_year
from years as y
join service as s using (service_code)
join department as d using (dept_code)
left join paid as p using (service_code, financial_year)
left join book as b using (service_code, financial_year)
left join service_activity as a using (service_code, financial_year)
left join gdp_deflator as g using (financial_year)
order by y.service_code, y.financial_year
