-- One event by id.
-- Parameters: id
SELECT id, bus_name, envelope, ingested_at
FROM events
WHERE id = :id
