-- Retention policy: cancelled registrations are kept for two years, then removed
-- (they hold personal data and nobody looks at them).
DELETE FROM registrations
 WHERE status = 'cancelled'
   AND registered_at < now() - interval '2 years';

-- The counters include the deleted rows; the worker rebuilds them on its next run.
TRUNCATE TABLE event_summary_cache;
