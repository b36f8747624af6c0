-- Alone in its file: CONCURRENTLY cannot run inside a transaction, and a multi-statement
-- file is executed as one implicit transaction.
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS members_public_id_key ON members (public_id);
