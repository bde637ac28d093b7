-- one row updated: a draft becomes published
-- params: :draft_id, :published_by, :published_at
update drafts
set status = 'published', published_by = :published_by, published_at = :published_at,
    updated_at = :published_at
where draft_id = :draft_id and status = 'draft'
