CREATE TYPE event_kind AS ENUM ('training', 'match', 'tournament');

CREATE TABLE events (
    id          serial PRIMARY KEY,
    club_id     integer NOT NULL REFERENCES clubs (id) ON DELETE CASCADE,
    kind        event_kind NOT NULL,
    title       text NOT NULL,
    starts_at   timestamptz NOT NULL,
    ends_at     timestamptz,
    location    text,
    capacity    integer,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX events_club_starts_idx ON events (club_id, starts_at);
