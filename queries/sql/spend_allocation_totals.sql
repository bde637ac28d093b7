-- one row: the spend table's payments and pounds (in whole pence, exact), allocated to a service or not yet, with the
-- payments whose supplier or expense type is blank or redacted and the spend lines quarantined
-- params: none
select
    count(*) filter (where service_code is not null) as n_allocated,
    (coalesce(sum(amount_gbp) filter (where service_code is not null), 0) * 100)::bigint
        as allocated_pence,
    count(*) filter (where service_code is null) as n_unallocated,
    (coalesce(sum(amount_gbp) filter (where service_code is null), 0) * 100)::bigint
        as unallocated_pence,
    count(*) filter (where text_marks like '%supplier blank%') as n_supplier_blank,
    count(*) filter (where text_marks like '%supplier redacted%') as n_supplier_redacted,
    count(*) filter (where text_marks like '%expense type blank%') as n_expense_type_blank,
    (select count(*) from rejected_row as r
     join load_log as l using (load_id)
     where l.kind = 'spend') as n_quarantined
from spend
