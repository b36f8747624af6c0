DROP INDEX IF EXISTS registrations_event_id_idx;
