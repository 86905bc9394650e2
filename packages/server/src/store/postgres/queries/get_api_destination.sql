-- One API destination by name.
-- Parameters: name
SELECT name, arn, description, connection_arn, invocation_endpoint, http_method,
  invocation_rate_limit_per_second, created_at, updated_at
FROM api_destinations
WHERE name = :name
