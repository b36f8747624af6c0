BEGIN;

DROP TRIGGER IF EXISTS events_set_updated_at ON events;
DROP TRIGGER IF EXISTS members_set_updated_at ON members;
DROP FUNCTION IF EXISTS set_updated_at();

ALTER TABLE events DROP COLUMN IF EXISTS updated_at;
ALTER TABLE members DROP COLUMN IF EXISTS updated_at;

COMMIT;
