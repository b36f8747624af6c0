-- audit_log.id passed 1.6 billion; an integer column runs out at 2147483647.
-- The type change rewrites the whole table under an ACCESS EXCLUSIVE lock: run it in the
-- maintenance window. lock_timeout makes it give up instead of queueing behind a long
-- transaction and blocking every audited write.
SET lock_timeout = '5s';

ALTER TABLE audit_log ALTER COLUMN id TYPE bigint;
ALTER SEQUENCE audit_log_id_seq AS bigint;
