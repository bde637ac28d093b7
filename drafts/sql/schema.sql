-- one row per scenario draft (a named set of spend changes) kept outside the warehouse
-- params: none
create table if not exists drafts (
    draft_id integer primary key autoincrement,
    name text not null check (length(name) between 1 and 80),
    owner text not null,
    departments text not null,
    changes text not null,
    status text not null default 'draft' check (status in ('draft', 'published')),
    created_at text not null,
    updated_at text not null,
    published_by text,
    published_at text
)
