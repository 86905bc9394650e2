-- Every rule of every bus, in primary key order (matchers are built from it at start-up).
-- Parameters: none
SELECT bus_name, name, arn, event_pattern, schedule_expression, state, description, role_arn, managed_by,
  created_by, created_at, updated_at
FROM rules
ORDER BY bus_name, name
