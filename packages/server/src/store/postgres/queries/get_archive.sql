-- One archive by name.
-- Parameters: name
SELECT name, arn, bus_name, event_source_arn, description, event_pattern, retention_days, state, created_at,
  updated_at
FROM archives
WHERE name = :name
