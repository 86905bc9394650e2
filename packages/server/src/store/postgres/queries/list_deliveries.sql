-- A page of all deliveries in creation order; :after is the last seq of the previous page (0 at first),
-- :limit one more than the page size. The optional filters (NULL for any) are checked on the rows of the
-- seq scan: without an event, rule or status there is no narrower index to read.
-- Parameters: bus_name, rule_name, target_id, after, limit
SELECT seq, id, event_id, bus_name, rule_name, rule_arn, target_id, status, attempts, due_at, created_at,
  updated_at, lease_owner, lease_expires_at, last_error
FROM deliveries
WHERE seq > :after
  AND (:bus_name::text IS NULL OR bus_name = :bus_name)
  AND (:rule_name::text IS NULL OR rule_name = :rule_name)
  AND (:target_id::text IS NULL OR target_id = :target_id)
ORDER BY seq
LIMIT :limit
