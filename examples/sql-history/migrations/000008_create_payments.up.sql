CREATE TABLE payments (
    id            serial PRIMARY KEY,
    club_id       integer NOT NULL REFERENCES clubs (id),
    member_id     integer REFERENCES members (id) ON DELETE SET NULL,
    tier_code     text REFERENCES membership_tiers (code),
    amount_cents  integer NOT NULL,
    currency      char(3) NOT NULL DEFAULT 'EUR',
    method        text NOT NULL CHECK (method IN ('card', 'transfer', 'cash', 'cheque')),
    paid_at       timestamptz NOT NULL DEFAULT now(),
    external_ref  text   -- id at the payment provider, NULL for cash and cheques
);

CREATE INDEX payments_member_id_idx ON payments (member_id);
CREATE INDEX payments_club_paid_at_idx ON payments (club_id, paid_at DESC);
CREATE UNIQUE INDEX payments_external_ref_key ON payments (external_ref) WHERE external_ref IS NOT NULL;
