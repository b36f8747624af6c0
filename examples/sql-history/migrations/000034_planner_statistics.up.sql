-- The registrations report misestimates rows per (event, status) by two orders of
-- magnitude and picks a nested loop. Give the planner more to work with.
CREATE STATISTICS IF NOT EXISTS registrations_event_status_stats (ndistinct, dependencies)
    ON event_id, status FROM registrations;

ALTER TABLE public.registrations ALTER COLUMN status SET STATISTICS 500;

ANALYZE registrations;

-- The revenue view was only filled when it was created (000027); the nightly job
-- refreshes it from now on.
REFRESH MATERIALIZED VIEW club_revenue_monthly;

COMMENT ON CONSTRAINT payments_amount_positive ON payments
    IS 'Amounts are in cents. Refunds are separate rows in the accounting export, never negative payments.'
