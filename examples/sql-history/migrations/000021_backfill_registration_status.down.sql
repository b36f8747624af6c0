-- The backfilled rows cannot be told apart from real confirmations; they stay as they are.
alter table registrations alter column status drop default;
alter table registrations alter column status drop not null;
