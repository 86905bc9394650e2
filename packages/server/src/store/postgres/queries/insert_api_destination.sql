-- Creates an API destination unless the name is taken (then rowCount is 0: `exists`). A connection
-- that does not exist (or is deleted meanwhile) fails the foreign key: the caller checks first.
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
