CREATE OR REPLACE FUNCTION audit_row_change() RETURNS trigger
LANGUAGE plpgsql
AS $fn$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO audit_log (table_name, row_id, action, old_row)
        VALUES (TG_TABLE_NAME, OLD.id, TG_OP, to_jsonb(OLD));
        RETURN OLD;
    END IF;

    INSERT INTO audit_log (table_name, row_id, action, old_row, new_row)
    VALUES (TG_TABLE_NAME, NEW.id, TG_OP,
            CASE WHEN TG_OP = 'UPDATE' THEN to_jsonb(OLD) END,
            to_jsonb(NEW));
    RETURN NEW;
END;
$fn$;

-- CREATE OR REPLACE VIEW cannot remove a column: drop both views and re-create the
-- previous versions (member_stats depends on active_licences).
DROP VIEW IF EXISTS member_stats;
DROP VIEW IF EXISTS public.active_licences;

CREATE VIEW public.active_licences AS
    SELECT l.id, l.member_id, l.licence_number, l.season, l.expires_on
      FROM public.licences l
     WHERE l.expires_on >= current_date;

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

DROP FUNCTION IF EXISTS member_age(date);
