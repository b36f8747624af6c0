-- Keep only digits and '+' in phone numbers (E.164 needs at most 16 characters).
-- A value that is still longer than 20 characters makes the whole migration fail.
ALTER TABLE members
    ALTER COLUMN phone_number TYPE varchar(20)
    USING regexp_replace(phone_number, '[^0-9+]', '', 'g');
