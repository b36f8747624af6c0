COMMENT ON CONSTRAINT payments_amount_positive ON payments IS NULL;

ALTER TABLE public.registrations ALTER COLUMN status SET STATISTICS -1;

DROP STATISTICS IF EXISTS registrations_event_status_stats;
