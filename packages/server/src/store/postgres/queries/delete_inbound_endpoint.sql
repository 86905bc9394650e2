-- Deletes one inbound endpoint (rowCount is 0 when it did not exist).
-- Parameters: kind, id
DELETE FROM inbound_endpoints
WHERE kind = :kind AND id = :id
