-- A page of queues in name order, by prefix, as list_buses (prefix '' for all, :after '' on the first
-- page, :limit one more than the page size).
-- Parameters: prefix, after, limit
SELECT name, arn, fifo::integer AS fifo, attributes, created_at, updated_at
FROM queues
WHERE name > :after AND name >= :prefix AND starts_with(name, :prefix)
ORDER BY name
LIMIT :limit
