ALTER TABLE members RENAME COLUMN phone TO phone_number;
