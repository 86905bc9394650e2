-- One inbound endpoint by kind and id.
-- Parameters: kind, id
SELECT kind, id, definition, secret_ciphertext, created_at, updated_at
FROM inbound_endpoints
WHERE kind = :kind AND id = :id
