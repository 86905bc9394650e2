-- Stores an inbound endpoint unless its (kind, id) exists (then rowCount is 0: `exists`).
-- Parameters: kind, id, definition, secret_ciphertext, created_at, updated_at
INSERT INTO inbound_endpoints (kind, id, definition, secret_ciphertext, created_at, updated_at)
VALUES (:kind, :id, :definition, :secret_ciphertext, :created_at, :updated_at)
ON CONFLICT (kind, id) DO NOTHING
