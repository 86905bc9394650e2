-- A page of an event's deliveries in creation order (deliveries_by_event), optionally of one :status,
-- bus, rule or target (NULL for any: an event has a handful of deliveries, so these are filters, not
-- index keys).
-- Parameters: event_id, status, bus_name, rule_name, target_id, after, limit
SELECT seq, id, event_id, bus_name, rule_name, rule_arn, target_id, status, attempts, due_at, created_at,
  updated_at, lease_owner, lease_expires_at, last_error
FROM deliveries
WHERE event_id = :event_id AND (:status::text IS NULL OR status = :status)
  AND (:bus_name::text IS NULL OR bus_name = :bus_name)
  AND (:rule_name::text IS NULL OR rule_name = :rule_name)
  AND (:target_id::text IS NULL OR target_id = :target_id)
  AND seq > :after
ORDER BY seq
LIMIT :limit
