-- When the next delivery becomes claimable: the earliest pending due time or expiring lease (NULL when
-- there is none). Each min() is one step at the start of its partial index.
-- Parameters: none
SELECT least(
  (SELECT min(due_at) FROM deliveries WHERE status = 'pending'),
  (SELECT min(lease_expires_at) FROM deliveries WHERE status = 'in-flight')
) AS due_at
