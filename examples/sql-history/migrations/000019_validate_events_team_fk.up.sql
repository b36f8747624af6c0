ALTER TABLE events VALIDATE CONSTRAINT events_team_id_fkey;
