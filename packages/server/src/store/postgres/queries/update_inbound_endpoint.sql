-- Replaces an inbound endpoint's definition and secrets; kind, id and created_at never change.
-- Parameters: kind, id, definition, secret_ciphertext, updated_at
UPDATE inbound_endpoints
SET definition = :definition,
  secret_ciphertext = :secret_ciphertext,
  updated_at = :updated_at
WHERE kind = :kind AND id = :id
