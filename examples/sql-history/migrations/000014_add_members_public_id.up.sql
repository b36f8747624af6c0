-- Non-guessable identifier for links in e-mails (serial ids leak club sizes).
ALTER TABLE members ADD COLUMN public_id uuid NOT NULL DEFAULT gen_random_uuid();
