DROP VIEW IF EXISTS public.active_licences;
DROP TABLE IF EXISTS public.licences;
