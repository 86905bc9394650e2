-- A page of one rule's deliveries in creation order (deliveries_by_rule: bus_name, rule_name, seq),
-- optionally of one target and one status (NULL for any), checked on the rule's rows: a rule has at most
-- 5 targets (migration 0005 weighs indexing target_id).
-- Parameters: bus_name, rule_name, target_id, status, after, limit
SELECT seq, id, event_id, bus_name, rule_name, rule_arn, target_id, status, attempts, due_at, created_at,
  updated_at, lease_owner, lease_expires_at, last_error
FROM deliveries
WHERE bus_name = :bus_name AND rule_name = :rule_name
  AND (:target_id::text IS NULL OR target_id = :target_id)
  AND (:status::text IS NULL OR status = :status)
  AND seq > :after
ORDER BY seq
LIMIT :limit
