create table registrations (
    id             serial primary key,
    event_id       integer not null references events (id) on delete cascade,
    member_id      integer not null references members (id) on delete cascade,
    status         text,   -- 'pending' | 'confirmed' | 'waitlist' | 'cancelled'
    registered_at  timestamptz not null default now(),
    unique (member_id, event_id)
);

-- Per-event counters, recomputed by the worker. Safe to throw away at any time,
-- hence unlogged.
create unlogged table event_summary_cache (
    event_id         integer primary key references events (id) on delete cascade,
    confirmed_count  integer not null default 0,
    waitlist_count   integer not null default 0,
    refreshed_at     timestamptz not null default now()
);
