-- members_club_email_key (club_id, email) already serves every lookup by club_id.
DROP INDEX CONCURRENTLY IF EXISTS members_club_id_idx;
