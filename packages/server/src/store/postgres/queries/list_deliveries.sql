-- A page of all deliveries in creation order; :after is the last seq of the previous page (0 at first),
-- :limit one more than the page size.
-- Parameters: after, limit
SELECT seq, id, event_id, bus_name, rule_name, rule_arn, target_id, status, attempts, due_at, created_at,
  updated_at, lease_owner, lease_expires_at, last_error
FROM deliveries
WHERE seq > :after
ORDER BY seq
LIMIT :limit
