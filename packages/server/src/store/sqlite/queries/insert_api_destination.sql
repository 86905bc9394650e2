-- Creates an API destination unless the name is taken (then changes() is 0: `exists`).
-- Parameters: name, arn, description, connection_arn, invocation_endpoint, http_method,
-- invocation_rate_limit_per_second, created_at, updated_at
INSERT INTO api_destinations (
  name, arn, description, connection_arn, invocation_endpoint, http_method,
  invocation_rate_limit_per_second, created_at, updated_at
)
VALUES (
  :name, :arn, :description, :connection_arn, :invocation_endpoint, :http_method,
  :invocation_rate_limit_per_second, :created_at, :updated_at
)
ON CONFLICT (name) DO NOTHING
