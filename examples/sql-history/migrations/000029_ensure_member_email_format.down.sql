ALTER TABLE members DROP CONSTRAINT IF EXISTS members_email_format;
