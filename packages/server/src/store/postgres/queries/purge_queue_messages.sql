-- Deletes every message of a queue.
-- Parameters: queue_name
DELETE FROM queue_messages
WHERE queue_name = :queue_name
