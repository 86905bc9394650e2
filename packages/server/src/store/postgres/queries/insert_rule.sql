-- Creates a rule unless it exists (then the row count is 0 and update_rule runs).
-- Parameters: bus_name, name, arn, event_pattern, schedule_expression, state, description, role_arn,
-- managed_by, created_by, created_at, updated_at
INSERT INTO rules (
  bus_name, name, arn, event_pattern, schedule_expression, state, description, role_arn, managed_by,
  created_by, created_at, updated_at
)
VALUES (
  :bus_name, :name, :arn, :event_pattern, :schedule_expression, :state, :description, :role_arn, :managed_by,
  :created_by, :created_at, :updated_at
)
ON CONFLICT (bus_name, name) DO NOTHING
