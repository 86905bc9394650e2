-- Creates a connection unless the name is taken (then rowCount is 0: `exists`).
-- Parameters: name, arn, description, authorization_type, state, state_reason, secret_arn,
-- kms_key_identifier, auth_parameters, sealed_secret, created_at, updated_at, last_authorized_at
INSERT INTO connections (
  name, arn, description, authorization_type, state, state_reason, secret_arn, kms_key_identifier,
  auth_parameters, sealed_secret, created_at, updated_at, last_authorized_at
)
VALUES (
  :name, :arn, :description, :authorization_type, :state, :state_reason, :secret_arn, :kms_key_identifier,
  :auth_parameters, :sealed_secret, :created_at, :updated_at, :last_authorized_at
)
ON CONFLICT (name) DO NOTHING
