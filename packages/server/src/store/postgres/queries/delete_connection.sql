-- Deletes a connection (the caller checked in the same transaction, holding the row's lock, that no API
-- destination uses it).
-- Parameters: name
DELETE FROM connections
WHERE name = :name
