-- Contact details the beta clubs asked for. All optional.
ALTER TABLE "members" ADD COLUMN "gender" text;
ALTER TABLE "members" ADD COLUMN "emergency_contact_name" text;
ALTER TABLE "members" ADD COLUMN "emergency_contact_phone" text;
ALTER TABLE "members" ADD COLUMN "fax" text;  -- one federation still sends paper forms by fax
