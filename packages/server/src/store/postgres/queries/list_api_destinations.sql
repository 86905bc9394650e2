-- A page of API destinations in name order, by prefix and optionally by connection (prefix '' for all,
-- connection_arn NULL for any, :after '' on the first page, :limit one more than the page size).
-- Parameters: prefix, connection_arn, after, limit
SELECT name, arn, description, connection_arn, invocation_endpoint, http_method,
  invocation_rate_limit_per_second, created_at, updated_at
FROM api_destinations
WHERE name > :after AND name >= :prefix AND left(name, length(:prefix)) = :prefix
  AND (:connection_arn::text IS NULL OR connection_arn = :connection_arn)
ORDER BY name
LIMIT :limit
