-- Creates a queue unless the name is taken (then changes() is 0: `exists`).
-- Parameters: name, arn, fifo, attributes, created_at, updated_at
INSERT INTO queues (name, arn, fifo, attributes, created_at, updated_at)
VALUES (:name, :arn, :fifo, :attributes, :created_at, :updated_at)
ON CONFLICT (name) DO NOTHING
