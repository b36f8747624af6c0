-- Reference data: the membership tiers every club can sell.
CREATE TABLE membership_tiers (
    code         text PRIMARY KEY,
    label        text NOT NULL,
    description  text,
    "order"      smallint NOT NULL,
    CONSTRAINT membership_tiers_order_key UNIQUE ("order")
);

INSERT INTO membership_tiers (code, label, description, "order") VALUES
    ('junior',   'Junior',   E'Under 18 on 1 September of the season.\nParental consent required.', 1),
    ('adult',    'Adult',    E'Full member with voting rights at the general assembly.', 2),
    ('senior',   'Senior',   E'65 and over.\tReduced fee, voting rights.', 3),
    ('family',   'Family',   E'Two adults and their children at the same address.\nThe fee is per household, not per member.', 4),
    ('honorary', 'Honorary', E'Granted by the board, no fee.\nPrinted as \'Honorary member\' on the licence; see C:\\forms\\honorary.pdf', 5);
