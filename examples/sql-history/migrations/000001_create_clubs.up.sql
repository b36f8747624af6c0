-- Clubs are the tenants of the platform: every other row hangs off a club.
CREATE TABLE clubs (
    id          serial PRIMARY KEY,
    name        varchar(50) NOT NULL,
    slug        varchar(50) NOT NULL,
    country     char(2) NOT NULL DEFAULT 'FR',
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT clubs_slug_key UNIQUE (slug)
);

CREATE INDEX clubs_country_idx ON clubs (country);
