-- Deletes a sink.
-- Parameters: name
DELETE FROM sinks
WHERE name = :name
