-- Age in whole years; used by the reporting views.
CREATE FUNCTION member_age(birth date) RETURNS integer
    LANGUAGE sql
    STABLE
    COST 100
AS $$
    SELECT date_part('year', age(current_date, birth))::integer
$$;

-- Dashboard v3: average age.
DROP VIEW IF EXISTS member_stats;

CREATE VIEW member_stats AS
SELECT
    c.id                         AS club_id,
    c.name                       AS club_name,
    count(DISTINCT m.id)         AS member_count,
    count(DISTINCT m.id) FILTER (WHERE member_age(m.birth_date) < 18) AS junior_count,
    count(DISTINCT l.member_id)  AS licensed_count,
    round(avg(member_age(m.birth_date)), 1) AS average_age,
    max(m.created_at)            AS last_joined_at
FROM clubs c
LEFT JOIN members m ON m.club_id = c.id
LEFT JOIN active_licences l ON l.member_id = m.id
GROUP BY c.id, c.name;

-- The licence screen wants the club without a join. New columns go at the end, so
-- CREATE OR REPLACE is enough here.
CREATE OR REPLACE VIEW public.active_licences AS
    SELECT l.id, l.member_id, l.licence_number, l.season, l.expires_on, m.club_id
      FROM public.licences l
      JOIN public.members m ON m.id = l.member_id
     WHERE l.expires_on >= current_date;

-- Record the application user (set by the app with SET app.current_user) instead of
-- the shared database role.
CREATE OR REPLACE FUNCTION audit_row_change() RETURNS trigger
LANGUAGE plpgsql
AS $fn$
DECLARE
    actor text := coalesce(nullif(current_setting('app.current_user', true), ''), current_user);
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO audit_log (table_name, row_id, action, changed_by, old_row)
        VALUES (TG_TABLE_NAME, OLD.id, TG_OP, actor, to_jsonb(OLD));
        RETURN OLD;
    END IF;

    INSERT INTO audit_log (table_name, row_id, action, changed_by, old_row, new_row)
    VALUES (TG_TABLE_NAME, NEW.id, TG_OP, actor,
            CASE WHEN TG_OP = 'UPDATE' THEN to_jsonb(OLD) END,
            to_jsonb(NEW));
    RETURN NEW;
END;
$fn$;
