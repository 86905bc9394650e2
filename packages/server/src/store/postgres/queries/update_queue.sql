-- Replaces a queue's attributes; name, arn, fifo and created_at never change.
-- Parameters: name, attributes, updated_at
UPDATE queues
SET attributes = :attributes, updated_at = :updated_at
WHERE name = :name
