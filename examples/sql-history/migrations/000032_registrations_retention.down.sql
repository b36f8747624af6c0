-- Deleted registrations cannot be restored. Rebuild the counters the worker would have.
INSERT INTO event_summary_cache (event_id, confirmed_count, waitlist_count, refreshed_at)
SELECT event_id,
       count(*) FILTER (WHERE status = 'confirmed'),
       count(*) FILTER (WHERE status = 'waitlist'),
       now()
  FROM registrations
 GROUP BY event_id
ON CONFLICT (event_id) DO NOTHING;
