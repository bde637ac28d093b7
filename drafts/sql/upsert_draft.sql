-- one row inserted or updated: the owner's unpublished draft of this name, or a new draft
-- params: :name, :owner, :departments, :changes, :created_at, :updated_at
-- one statement against the unique rule (unique_draft_names.sql): two saves at once of the
-- same name cannot make two drafts
insert into drafts (name, owner, departments, changes, status, created_at, updated_at)
values (:name, :owner, :departments, :changes, 'draft', :created_at, :updated_at)
on conflict (owner, name) where status = 'draft' do update
set departments = excluded.departments, changes = excluded.changes,
    updated_at = excluded.updated_at
returning draft_id
