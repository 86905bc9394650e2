-- A page of the deliveries in one status, in creation order (deliveries_by_status, ordered by seq
-- within a status).
-- Parameters: status, after, limit
SELECT seq, id, event_id, bus_name, rule_name, rule_arn, target_id, status, attempts, due_at, created_at,
  updated_at, lease_owner, lease_expires_at, last_error
FROM deliveries
WHERE status = :status AND seq > :after
ORDER BY seq
LIMIT :limit
