-- Replaces an archive's mutable fields (name, arn, bus and created_at never change).
-- Parameters: name, description, event_pattern, retention_days, state, updated_at
UPDATE archives
SET description = :description, event_pattern = :event_pattern, retention_days = :retention_days,
  state = :state, updated_at = :updated_at
WHERE name = :name
