SET lock_timeout = '5s';

ALTER SEQUENCE audit_log_id_seq AS integer;
ALTER TABLE audit_log ALTER COLUMN id TYPE integer;
