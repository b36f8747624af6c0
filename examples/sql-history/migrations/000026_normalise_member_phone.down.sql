-- The original formatting (spaces, dots, dashes) is gone for good; only the type is restored.
ALTER TABLE members ALTER COLUMN phone_number TYPE text;
