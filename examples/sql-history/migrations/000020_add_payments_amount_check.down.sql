ALTER TABLE payments DROP CONSTRAINT IF EXISTS payments_amount_positive;
