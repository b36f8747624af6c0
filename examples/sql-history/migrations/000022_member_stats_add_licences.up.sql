-- Dashboard v2: how many members hold a licence for the current season.
DROP VIEW IF EXISTS member_stats;

CREATE VIEW member_stats AS
SELECT
    c.id                         AS club_id,
    c.name                       AS club_name,
    count(DISTINCT m.id)         AS member_count,
    count(DISTINCT m.id) FILTER (WHERE m.birth_date > current_date - interval '18 years') AS junior_count,
    count(DISTINCT l.member_id)  AS licensed_count,
    max(m.created_at)            AS last_joined_at
FROM clubs c
LEFT JOIN members m ON m.club_id = c.id
LEFT JOIN active_licences l ON l.member_id = m.id
GROUP BY c.id, c.name;
