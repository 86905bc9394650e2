-- Every access key, oldest first (a handful per installation).
-- Parameters: none
SELECT access_key_id, secret_ciphertext, description, created_at
FROM access_keys
ORDER BY created_at, access_key_id
