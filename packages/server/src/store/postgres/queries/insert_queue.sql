-- Creates a queue unless the name is taken (then the row count is 0: `exists`).
-- :fifo is 0 or 1, as the row shape shared with the SQLite store has it.
-- Parameters: name, arn, fifo, attributes, created_at, updated_at
INSERT INTO queues (name, arn, fifo, attributes, created_at, updated_at)
VALUES (:name, :arn, :fifo::integer <> 0, :attributes, :created_at, :updated_at)
ON CONFLICT (name) DO NOTHING
