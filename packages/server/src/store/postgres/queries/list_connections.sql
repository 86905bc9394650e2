-- A page of connections in name order, by prefix and optionally by state (prefix '' for all, state NULL
-- for any, :after '' on the first page, :limit one more than the page size).
-- Parameters: prefix, state, after, limit
SELECT name, arn, description, authorization_type, state, state_reason, secret_arn, kms_key_identifier,
  auth_parameters, sealed_secret, created_at, updated_at, last_authorized_at
FROM connections
WHERE name > :after AND name >= :prefix AND left(name, length(:prefix)) = :prefix
  AND (:state::text IS NULL OR state = :state)
ORDER BY name
LIMIT :limit
