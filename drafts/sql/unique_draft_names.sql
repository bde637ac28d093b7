-- one row per owner and name among unpublished drafts (the rule that makes saving by name an update)
-- params: none
create unique index if not exists drafts_owner_name on drafts (owner, name)
where status = 'draft'
