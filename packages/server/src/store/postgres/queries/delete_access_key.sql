-- Deletes an access key (the row count tells whether it existed).
-- Parameters: access_key_id
DELETE FROM access_keys
WHERE access_key_id = :access_key_id
