ALTER TABLE members ADD COLUMN fax text;
