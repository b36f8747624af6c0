-- The spreadsheet import was finished in 2023. Databases created after the importer
-- was removed never had the staging table, hence the check.
DO $$
BEGIN
    IF to_regclass('public.legacy_imports') IS NOT NULL THEN
        EXECUTE 'DROP TABLE legacy_imports';
    END IF;
END $$;

-- Staff notes now live in the CRM integration; the data was exported in #388.
DROP TABLE member_notes;
