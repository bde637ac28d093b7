-- one row per draft, newest first (who may see each is decided in drafts/store.py)
-- params: none
select draft_id, name, owner, departments, changes, status, created_at, updated_at,
    published_by, published_at
from drafts
order by updated_at desc, draft_id desc
limit 5000
