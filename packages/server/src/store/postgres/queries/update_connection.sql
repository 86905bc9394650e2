-- Replaces a connection's mutable fields (name, arn, secret_arn and created_at never change). With
-- :if_state and :if_updated_at set, only while the row still has that state and updated_at (the
-- background authorization of an OAuth connection must not overwrite a change made meanwhile, on this
-- node or another).
-- Parameters: name, description, authorization_type, state, state_reason, kms_key_identifier,
-- auth_parameters, sealed_secret, updated_at, last_authorized_at, if_state, if_updated_at
UPDATE connections
SET description = :description, authorization_type = :authorization_type, state = :state,
  state_reason = :state_reason, kms_key_identifier = :kms_key_identifier,
  auth_parameters = :auth_parameters, sealed_secret = :sealed_secret, updated_at = :updated_at,
  last_authorized_at = :last_authorized_at
WHERE name = :name
  AND (:if_state::text IS NULL OR state = :if_state)
  AND (:if_updated_at::bigint IS NULL OR updated_at = :if_updated_at)
