-- One access key.
-- Parameters: access_key_id
SELECT access_key_id, secret_ciphertext, description, created_at
FROM access_keys
WHERE access_key_id = :access_key_id
