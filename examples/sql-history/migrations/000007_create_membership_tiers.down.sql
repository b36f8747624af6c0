DROP TABLE IF EXISTS membership_tiers;
