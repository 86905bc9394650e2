-- One rule.
-- Parameters: bus_name, name
SELECT bus_name, name, arn, event_pattern, schedule_expression, state, description, role_arn, managed_by,
  created_by, created_at, updated_at
FROM rules
WHERE bus_name = :bus_name AND name = :name
