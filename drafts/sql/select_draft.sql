-- one row per draft with this id (none or one)
-- params: :draft_id
select draft_id, name, owner, departments, changes, status, created_at, updated_at,
    published_by, published_at
from drafts
where draft_id = :draft_id
