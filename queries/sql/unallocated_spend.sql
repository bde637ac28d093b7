-- one row per (department, service area) label of spend not yet allocated to a service (no
-- mapping places it yet), largest amount first: payments, pounds (in whole pence, exact),
-- files and dates
-- params: none
select
    department_label,
    service_area_label,
    count(*) as n_payments,
    (sum(amount_gbp) * 100)::bigint as amount_pence,
    count(distinct source_file) as n_files,
    min(payment_date) as first_payment,
    max(payment_date) as last_payment
from spend
where service_code is null
group by department_label, service_area_label
order by abs(sum(amount_gbp)) desc, department_label, service_area_label
