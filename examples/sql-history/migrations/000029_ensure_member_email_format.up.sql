-- Production got this constraint by hand during the March incident; staging and
-- developer databases did not. Only add it where it is missing.
DO $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM pg_constraint WHERE conname = 'members_email_format'
    ) THEN
        ALTER TABLE members
            ADD CONSTRAINT members_email_format
            CHECK (email ~* '^[^@\s]+@[^@\s]+\.[^@\s]+$') NOT VALID;
    END IF;
END
$$;
