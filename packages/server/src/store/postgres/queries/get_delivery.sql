-- One delivery by id.
-- Parameters: id
SELECT seq, id, event_id, bus_name, rule_name, rule_arn, target_id, status, attempts, due_at, created_at,
  updated_at, lease_owner, lease_expires_at, last_error
FROM deliveries
WHERE id = :id
