-- one row inserted: a new draft
-- params: :name, :owner, :departments, :changes, :created_at, :updated_at
insert into drafts (name, owner, departments, changes, status, created_at, updated_at)
values (:name, :owner, :departments, :changes, 'draft', :created_at, :updated_at)
