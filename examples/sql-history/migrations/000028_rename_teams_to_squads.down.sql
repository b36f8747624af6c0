ALTER INDEX IF EXISTS squads_club_id_idx RENAME TO teams_club_id_idx;
ALTER TABLE squads RENAME TO teams;
