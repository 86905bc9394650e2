-- Every archive (the routing table loads them at start-up).
-- Parameters: none
SELECT name, arn, bus_name, event_source_arn, description, event_pattern, retention_days, state, created_at,
  updated_at
FROM archives
ORDER BY name
