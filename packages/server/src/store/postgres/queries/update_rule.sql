-- Replaces a rule's definition (PutRule on an existing rule); arn, created_by and created_at are kept.
-- Parameters: bus_name, name, event_pattern, schedule_expression, state, description, role_arn, managed_by,
-- updated_at
UPDATE rules
SET event_pattern = :event_pattern,
  schedule_expression = :schedule_expression,
  state = :state,
  description = :description,
  role_arn = :role_arn,
  managed_by = :managed_by,
  updated_at = :updated_at
WHERE bus_name = :bus_name AND name = :name
