-- Zero and negative amounts came from a bug in the old card terminal integration
-- (fixed in the app, and the bad rows were corrected by support).
ALTER TABLE payments ADD CONSTRAINT payments_amount_positive CHECK (amount_cents > 0);
