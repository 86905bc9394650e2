-- One connection by name.
-- Parameters: name
SELECT name, arn, description, authorization_type, state, state_reason, secret_arn, kms_key_identifier,
  auth_parameters, sealed_secret, created_at, updated_at, last_authorized_at
FROM connections
WHERE name = :name
