-- one row updated: an owner's unpublished draft of the same name gets new changes
-- params: :draft_id, :departments, :changes, :updated_at
update drafts
set departments = :departments, changes = :changes, updated_at = :updated_at
where draft_id = :draft_id and status = 'draft'
