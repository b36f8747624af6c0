ALTER TABLE "members" DROP COLUMN IF EXISTS "fax";
ALTER TABLE "members" DROP COLUMN IF EXISTS "emergency_contact_phone";
ALTER TABLE "members" DROP COLUMN IF EXISTS "emergency_contact_name";
ALTER TABLE "members" DROP COLUMN IF EXISTS "gender";
