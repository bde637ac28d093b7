-- payments whose financial year does not match their date
select source_file, line_no, payment_date, financial_year
from spend
where financial_year <> (
    (year(payment_date) - case when month(payment_date) < 4 then 1 else 0 end)::varchar
    || '/' || lpad(((year(payment_date) - case when month(payment_date) < 4 then 1 else 0 end + 1) % 100)::varchar, 2, '0')
)
