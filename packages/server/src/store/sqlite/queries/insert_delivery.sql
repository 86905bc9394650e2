-- Creates a delivery of an event, pending and due at once (:now).
-- Parameters: id, event_id, bus_name, rule_name, rule_arn, target_id, now
INSERT INTO deliveries (
  id, event_id, bus_name, rule_name, rule_arn, target_id, status, attempts, due_at, created_at, updated_at
)
VALUES (:id, :event_id, :bus_name, :rule_name, :rule_arn, :target_id, 'pending', 0, :now, :now, :now)
