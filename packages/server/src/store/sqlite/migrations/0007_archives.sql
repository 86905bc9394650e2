-- 0007_archives: EventBridge archives and replays, and Busway's storage sinks. Applied by migrate.ts inside
-- one IMMEDIATE transaction; append-only.
--
-- An archive keeps one row per archived event, written by appendEvents in the event's own transaction.
-- The row points at the event instead of copying its envelope: one small row per archived event, the
-- envelope stored once. Retention and event-time windows both read `event_time` (the envelope's `time`,
-- epoch ms at second precision), so one index serves replays, pruning and the counts of DescribeArchive.
CREATE TABLE archives (
  name TEXT NOT NULL PRIMARY KEY,
  arn TEXT NOT NULL,
  bus_name TEXT NOT NULL,
  event_source_arn TEXT NOT NULL,
  description TEXT,
  event_pattern TEXT,
  retention_days INTEGER NOT NULL,
  state TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE archive_events (
  seq INTEGER PRIMARY KEY,
  archive_name TEXT NOT NULL REFERENCES archives (name) ON DELETE CASCADE,
  event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  event_time INTEGER NOT NULL,
  size_bytes INTEGER NOT NULL
) STRICT;

CREATE INDEX archive_events_by_time ON archive_events (archive_name, event_time, seq);
-- The foreign key to events needs an index on the child column for event deletes.
CREATE INDEX archive_events_by_event ON archive_events (event_id);

-- A replay outlives its archive (it ends FAILED when the archive goes), so no foreign key. Progress is the
-- cursor (event_time, seq) of the last archived event replayed: a restarted server resumes after it.
CREATE TABLE replays (
  name TEXT NOT NULL PRIMARY KEY,
  arn TEXT NOT NULL,
  description TEXT,
  archive_name TEXT NOT NULL,
  event_source_arn TEXT NOT NULL,
  destination_arn TEXT NOT NULL,
  filter_arns TEXT,
  event_start_time INTEGER NOT NULL,
  event_end_time INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (
    state IN ('STARTING', 'RUNNING', 'CANCELLING', 'COMPLETED', 'CANCELLED', 'FAILED')
  ),
  state_reason TEXT,
  replay_start_time INTEGER NOT NULL,
  replay_end_time INTEGER,
  event_last_replayed_time INTEGER,
  cursor_time INTEGER,
  cursor_seq INTEGER,
  events_replayed INTEGER NOT NULL,
  events_total INTEGER
) STRICT;

CREATE INDEX replays_by_state ON replays (state);

-- Storage sinks (targets `arn:aws:busway:REGION:ACCOUNT:sink/NAME`): the settings as JSON, read by the
-- sink target only.
CREATE TABLE sinks (
  name TEXT NOT NULL PRIMARY KEY,
  arn TEXT NOT NULL,
  settings TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
