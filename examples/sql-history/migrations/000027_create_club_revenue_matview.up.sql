-- Monthly revenue per club for the treasurer dashboard. Refreshed by the nightly job.
CREATE MATERIALIZED VIEW club_revenue_monthly AS
SELECT p.club_id,
       date_trunc('month', p.paid_at)  AS month,
       p.currency,
       sum(p.amount_cents)::bigint     AS total_cents,
       count(*)                        AS payment_count
  FROM payments p
 GROUP BY p.club_id, date_trunc('month', p.paid_at), p.currency
WITH DATA;

-- Needed for REFRESH MATERIALIZED VIEW CONCURRENTLY.
CREATE UNIQUE INDEX club_revenue_monthly_key ON club_revenue_monthly (club_id, month, currency);
