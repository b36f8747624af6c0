-- Dashboard numbers per club.
CREATE VIEW member_stats AS
SELECT
    c.id                AS club_id,
    c.name              AS club_name,
    count(m.id)         AS member_count,
    count(m.id) FILTER (WHERE m.birth_date > current_date - interval '18 years') AS junior_count,
    max(m.created_at)   AS last_joined_at
FROM clubs c
LEFT JOIN members m ON m.club_id = c.id
GROUP BY c.id, c.name;
