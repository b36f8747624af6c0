-- Billing plans. Every existing club starts on the free plan.
ALTER TABLE public.clubs
    ADD COLUMN plan text NOT NULL DEFAULT 'free',
    ADD COLUMN max_members integer NOT NULL DEFAULT 50;
