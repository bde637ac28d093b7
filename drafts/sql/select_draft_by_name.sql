-- one row per unpublished draft of this owner with this name (none or one)
-- params: :owner, :name
select draft_id
from drafts
where owner = :owner and name = :name and status = 'draft'
order by draft_id desc
limit 1
