DROP TRIGGER IF EXISTS members_audit ON members;
DROP TRIGGER IF EXISTS payments_audit ON payments;
DROP FUNCTION IF EXISTS audit_row_change();
DROP TABLE IF EXISTS audit_log;
