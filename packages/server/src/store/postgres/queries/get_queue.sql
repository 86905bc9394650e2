-- One queue by name (fifo as 0/1: the row shape the mappers share with the SQLite store).
-- Parameters: name
SELECT name, arn, fifo::integer AS fifo, attributes, created_at, updated_at
FROM queues
WHERE name = :name
