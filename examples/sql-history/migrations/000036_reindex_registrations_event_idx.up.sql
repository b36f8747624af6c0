-- registrations_event_id_idx is four times its expected size after the retention
-- cleanup (000032). Rebuild it without blocking writes (PostgreSQL 12+).
REINDEX INDEX CONCURRENTLY registrations_event_id_idx;
