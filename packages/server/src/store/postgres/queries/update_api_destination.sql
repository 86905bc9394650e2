-- Replaces an API destination's mutable fields (name, arn and created_at never change).
-- Parameters: name, description, connection_arn, invocation_endpoint, http_method,
-- invocation_rate_limit_per_second, updated_at
UPDATE api_destinations
SET description = :description, connection_arn = :connection_arn,
  invocation_endpoint = :invocation_endpoint, http_method = :http_method,
  invocation_rate_limit_per_second = :invocation_rate_limit_per_second, updated_at = :updated_at
WHERE name = :name
