-- A page of the deliveries in one status, in creation order (deliveries_by_status, ordered by seq
-- within a status), optionally of one bus, rule or target (NULL for any), checked on the status's rows.
-- Parameters: status, bus_name, rule_name, target_id, after, limit
SELECT seq, id, event_id, bus_name, rule_name, rule_arn, target_id, status, attempts, due_at, created_at,
  updated_at, lease_owner, lease_expires_at, last_error
FROM deliveries
WHERE status = :status AND seq > :after
  AND (:bus_name::text IS NULL OR bus_name = :bus_name)
  AND (:rule_name::text IS NULL OR rule_name = :rule_name)
  AND (:target_id::text IS NULL OR target_id = :target_id)
ORDER BY seq
LIMIT :limit
