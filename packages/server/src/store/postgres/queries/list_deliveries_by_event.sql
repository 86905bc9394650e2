-- A page of an event's deliveries in creation order (deliveries_by_event), optionally of one :status
-- (NULL for any: an event has a handful of deliveries, so the status is a filter, not an index key).
-- Parameters: event_id, status, after, limit
SELECT seq, id, event_id, bus_name, rule_name, rule_arn, target_id, status, attempts, due_at, created_at,
  updated_at, lease_owner, lease_expires_at, last_error
FROM deliveries
WHERE event_id = :event_id AND (:status::text IS NULL OR status = :status) AND seq > :after
ORDER BY seq
LIMIT :limit
