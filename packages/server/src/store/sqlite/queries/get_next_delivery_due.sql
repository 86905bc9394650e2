-- When the next delivery becomes claimable: the earliest pending due time or expiring lease (NULL when
-- there is none). Each min() is one step at the start of its partial index.
-- Parameters: none
SELECT min(due_at) AS due_at FROM (
  SELECT min(due_at) AS due_at FROM deliveries INDEXED BY deliveries_pending_by_due WHERE status = 'pending'
  UNION ALL
  SELECT min(lease_expires_at) FROM deliveries INDEXED BY deliveries_in_flight_by_lease
  WHERE status = 'in-flight'
)
