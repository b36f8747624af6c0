ALTER TABLE public.clubs
    DROP COLUMN IF EXISTS max_members,
    DROP COLUMN IF EXISTS plan;
