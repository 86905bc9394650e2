-- Appends an accepted event; a duplicate id fails the call's whole batch.
-- Parameters: id, bus_name, envelope, ingested_at
INSERT INTO events (id, bus_name, envelope, ingested_at)
VALUES (:id, :bus_name, :envelope, :ingested_at)
