CREATE INDEX CONCURRENTLY IF NOT EXISTS members_club_id_idx ON members (club_id);
