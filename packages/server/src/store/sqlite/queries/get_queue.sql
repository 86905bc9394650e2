-- One queue by name.
-- Parameters: name
SELECT name, arn, fifo, attributes, created_at, updated_at
FROM queues
WHERE name = :name
