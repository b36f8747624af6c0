-- A validated constraint cannot be marked NOT VALID again: re-create it unvalidated.
ALTER TABLE events DROP CONSTRAINT IF EXISTS events_team_id_fkey;
ALTER TABLE events
    ADD CONSTRAINT events_team_id_fkey
    FOREIGN KEY (team_id) REFERENCES teams (id) ON DELETE SET NULL
    NOT VALID;
