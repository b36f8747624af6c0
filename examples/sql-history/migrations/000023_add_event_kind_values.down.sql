-- PostgreSQL has no way to remove an enum label: move rows off the new labels,
-- then rebuild the type without them.
UPDATE events SET kind = 'match'    WHERE kind = 'friendly';
UPDATE events SET kind = 'training' WHERE kind = 'camp';

ALTER TYPE event_kind RENAME TO event_kind_old;
CREATE TYPE event_kind AS ENUM ('training', 'match', 'tournament');
ALTER TABLE events ALTER COLUMN kind TYPE event_kind USING kind::text::event_kind;
DROP TYPE event_kind_old;
