-- Stores an access key unless its id exists (then the row count is 0: `exists`).
-- Parameters: access_key_id, secret_ciphertext, description, created_at
INSERT INTO access_keys (access_key_id, secret_ciphertext, description, created_at)
VALUES (:access_key_id, :secret_ciphertext, :description, :created_at)
ON CONFLICT (access_key_id) DO NOTHING
