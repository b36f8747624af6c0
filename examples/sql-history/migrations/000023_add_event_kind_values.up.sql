-- Friendlies were stored as matches, summer camps as trainings.
-- (PostgreSQL 12+: ADD VALUE may run inside a transaction, but the new labels
-- cannot be used until it commits, so no data is moved here.)
ALTER TYPE event_kind ADD VALUE IF NOT EXISTS 'friendly' AFTER 'match';
ALTER TYPE event_kind ADD VALUE IF NOT EXISTS 'camp';
