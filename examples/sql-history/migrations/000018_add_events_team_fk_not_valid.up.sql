-- Trainings and matches can now belong to a team.
ALTER TABLE events ADD COLUMN team_id integer;

-- NOT VALID: existing rows are not checked now (they are all NULL anyway), so the
-- statement only needs a short lock. 000019 validates it.
ALTER TABLE events
    ADD CONSTRAINT events_team_id_fkey
    FOREIGN KEY (team_id) REFERENCES teams (id) ON DELETE SET NULL
    NOT VALID;
