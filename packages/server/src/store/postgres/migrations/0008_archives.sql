-- 0008_archives: EventBridge archives and replays, and Busway's storage sinks. The PostgreSQL twin of
-- sqlite/migrations/0007_archives.sql (numbered one higher: 0006_cluster has no SQLite twin); applied as
-- 0001 is. Append-only.
-- An archive keeps one row per archived event, written by appendEvents in the event's own statement; the
-- row points at the event instead of copying its envelope. Retention and event-time windows both read
-- event_time (the envelope's time, epoch ms), so one index serves replays, pruning and the counts.
-- Events of an archive are never removed by the event retention pass (prune_events.sql).
CREATE TABLE archives (
  name text COLLATE "C" NOT NULL PRIMARY KEY,
  arn text NOT NULL,
  bus_name text COLLATE "C" NOT NULL,
  event_source_arn text NOT NULL,
  description text,
  event_pattern text,
  retention_days integer NOT NULL,
  state text NOT NULL,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL
);

CREATE TABLE archive_events (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  archive_name text COLLATE "C" NOT NULL REFERENCES archives (name) ON DELETE CASCADE,
  event_id text COLLATE "C" NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  event_time bigint NOT NULL,
  size_bytes integer NOT NULL
);

CREATE INDEX archive_events_by_time ON archive_events (archive_name, event_time, seq);
-- The foreign key to events needs an index on the child column for event deletes (and the retention
-- pass asks whether an event is archived).
CREATE INDEX archive_events_by_event ON archive_events (event_id);

-- A replay outlives its archive (it ends FAILED when the archive goes), so no foreign key. Progress is the
-- cursor (event_time, seq) of the last archived event replayed: a restarted node resumes after it.
-- filter_arns is a JSON array of rule ARNs kept as text.
CREATE TABLE replays (
  name text COLLATE "C" NOT NULL PRIMARY KEY,
  arn text NOT NULL,
  description text,
  archive_name text COLLATE "C" NOT NULL,
  event_source_arn text NOT NULL,
  destination_arn text NOT NULL,
  filter_arns text,
  event_start_time bigint NOT NULL,
  event_end_time bigint NOT NULL,
  state text NOT NULL CHECK (
    state IN ('STARTING', 'RUNNING', 'CANCELLING', 'COMPLETED', 'CANCELLED', 'FAILED')
  ),
  state_reason text,
  replay_start_time bigint NOT NULL,
  replay_end_time bigint,
  event_last_replayed_time bigint,
  cursor_time bigint,
  cursor_seq bigint,
  events_replayed bigint NOT NULL,
  events_total bigint
);

CREATE INDEX replays_by_state ON replays (state);

-- Storage sinks: the settings as JSON text, read by the sink target only.
CREATE TABLE sinks (
  name text COLLATE "C" NOT NULL PRIMARY KEY,
  arn text NOT NULL,
  settings text NOT NULL,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL
);
