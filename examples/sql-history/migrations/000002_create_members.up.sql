create table members (
    id          serial primary key,
    club_id     integer not null references clubs (id) on delete cascade,
    first_name  text not null,
    last_name   text not null,
    email       text not null,
    phone       text,
    birth_date  date,
    joined_on   date not null default current_date,
    created_at  timestamptz not null default now(),
    constraint members_club_email_key unique (club_id, email)
);

create index members_club_id_idx on members (club_id);
create index members_last_name_idx on members (club_id, lower(last_name));

-- Free-form notes written by club staff about a member.
create table member_notes (
    id          serial primary key,
    member_id   integer not null references members (id) on delete cascade,
    body        text not null,
    created_at  timestamptz not null default now()
);

-- Staging area for the one-off import from the old spreadsheet-based system.
-- Rows are parsed by the importer job and copied into members.
create table legacy_imports (
    id           serial primary key,
    club_id      integer references clubs (id),
    raw_row      text not null,
    imported_at  timestamptz,
    error        text
);
