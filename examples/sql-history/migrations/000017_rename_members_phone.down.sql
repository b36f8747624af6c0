ALTER TABLE members RENAME COLUMN phone_number TO phone;
