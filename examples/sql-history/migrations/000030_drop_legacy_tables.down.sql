-- Structure only: the rows dropped by the up migration are not coming back.
CREATE TABLE member_notes (
    id          serial PRIMARY KEY,
    member_id   integer NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    body        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS legacy_imports (
    id           serial PRIMARY KEY,
    club_id      integer REFERENCES clubs (id),
    raw_row      text NOT NULL,
    imported_at  timestamptz,
    error        text
);
