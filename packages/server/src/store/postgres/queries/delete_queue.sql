-- Deletes a queue; its messages and deduplication entries go with it (ON DELETE CASCADE).
-- Parameters: name
DELETE FROM queues
WHERE name = :name
