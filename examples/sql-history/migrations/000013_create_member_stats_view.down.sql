DROP VIEW IF EXISTS member_stats;
