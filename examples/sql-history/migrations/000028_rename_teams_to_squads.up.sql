-- Product renamed "teams" to "squads" in the whole UI; the schema follows.
ALTER TABLE teams RENAME TO squads;
ALTER INDEX IF EXISTS teams_club_id_idx RENAME TO squads_club_id_idx;
