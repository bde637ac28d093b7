-- one row updated per unpublished draft that doubles a newer one of the same owner and name
-- params: none
-- (saved before the unique rule existed): it keeps its changes under the name "<name> #<id>"
update drafts
set name = substr(name, 1, 70) || ' #' || draft_id
where status = 'draft' and exists (
    select 1 from drafts as newer
    where newer.owner = drafts.owner and newer.name = drafts.name
        and newer.status = 'draft' and newer.draft_id > drafts.draft_id)
