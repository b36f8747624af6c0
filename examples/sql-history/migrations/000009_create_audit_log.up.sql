/*
 * Audit trail for money and personal data.
 *
 * Rows are written by the audit_row_change() trigger below.
 * /* Do not insert into audit_log from application code: the trigger is
 *    the only writer, and the accounting export relies on that. */
 * Entries are kept for ten years (accounting rules).
 */
CREATE TABLE audit_log (
    id          serial PRIMARY KEY,
    table_name  text NOT NULL,
    row_id      integer,
    action      text NOT NULL,
    changed_at  timestamptz NOT NULL DEFAULT now(),
    changed_by  text NOT NULL DEFAULT current_user,
    old_row     jsonb,
    new_row     jsonb
);

CREATE INDEX audit_log_table_row_idx ON audit_log (table_name, row_id);

CREATE FUNCTION audit_row_change() RETURNS trigger
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

CREATE TRIGGER payments_audit
    AFTER INSERT OR UPDATE OR DELETE ON payments
    FOR EACH ROW EXECUTE FUNCTION audit_row_change();

CREATE TRIGGER members_audit
    AFTER INSERT OR UPDATE OR DELETE ON members
    FOR EACH ROW EXECUTE FUNCTION audit_row_change();
