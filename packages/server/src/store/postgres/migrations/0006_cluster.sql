-- 0006_cluster: what only several nodes sharing one database need; no SQLite twin (one process there),
-- so PostgreSQL's numbering departs from SQLite's after 0005: later SQLite migrations get their twins
-- here in the same order, numbered from 0007.
-- config_versions: one row per bus, bumped in the transaction of every write to the bus, its rules or
-- its targets; nodes compare it with what they loaded (bus/config-sync.ts) and reload changed buses.
-- A deleted bus keeps its row (its version still moves on), so that no node misses the deletion.
CREATE TABLE config_versions (
  bus_name text COLLATE "C" NOT NULL PRIMARY KEY,
  version bigint NOT NULL
);

-- rate_slots: the next free invocation slot of each rate-limited key (an API destination's ARN), in
-- epoch milliseconds of the database's clock, so nodes whose clocks differ still share one schedule.
-- double precision: slots are 1000/rate ms apart, fractions of a millisecond at high rates.
CREATE TABLE rate_slots (
  key text COLLATE "C" NOT NULL PRIMARY KEY,
  next_slot_at double precision NOT NULL
);
