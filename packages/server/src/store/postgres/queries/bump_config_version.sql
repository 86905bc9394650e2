-- Moves a bus's configuration version on (inside the transaction of the write that changed the bus, its
-- rules or its targets) and notifies :channel with the bus name; PostgreSQL delivers the notification at
-- commit, so a node that hears it reads the change.
-- Parameters: bus_name, channel
WITH bumped AS (
  INSERT INTO config_versions (bus_name, version)
  VALUES (:bus_name, 1)
  ON CONFLICT (bus_name) DO UPDATE SET version = config_versions.version + 1
  RETURNING bus_name
)
SELECT pg_notify(:channel::text, bus_name) FROM bumped
