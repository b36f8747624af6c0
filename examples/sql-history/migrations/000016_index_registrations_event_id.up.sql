-- The "who is coming?" page lists registrations by event; the unique index on
-- (member_id, event_id) cannot serve that.
CREATE INDEX registrations_event_id_idx ON registrations (event_id);
