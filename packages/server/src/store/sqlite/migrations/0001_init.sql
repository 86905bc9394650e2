-- 0001_init: buses, rules, targets, tags, access keys, the event log, deliveries and their attempts.
-- Applied by migrate.ts inside one IMMEDIATE transaction with its ledger row; append-only: change the
-- schema with a new numbered file, never by editing this one.
-- Times are epoch milliseconds (INTEGER); JSON-shaped fields are TEXT holding JSON; STRICT tables so a
-- wrongly typed value fails instead of being stored as something else.

CREATE TABLE buses (
  name TEXT NOT NULL PRIMARY KEY,
  arn TEXT NOT NULL,
  description TEXT,
  kms_key_identifier TEXT,
  dead_letter_config TEXT,
  log_config TEXT,
  policy TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

-- The primary key (bus_name, name) is the index for rules by bus, in name order.
CREATE TABLE rules (
  bus_name TEXT NOT NULL REFERENCES buses (name) ON DELETE CASCADE,
  name TEXT NOT NULL,
  arn TEXT NOT NULL,
  event_pattern TEXT,
  schedule_expression TEXT,
  state TEXT NOT NULL
    CHECK (state IN ('ENABLED', 'DISABLED', 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS')),
  description TEXT,
  role_arn TEXT,
  managed_by TEXT,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (bus_name, name)
) STRICT;

CREATE TABLE targets (
  bus_name TEXT NOT NULL,
  rule_name TEXT NOT NULL,
  id TEXT NOT NULL,
  arn TEXT NOT NULL,
  role_arn TEXT,
  input TEXT,
  input_path TEXT,
  input_transformer TEXT,
  retry_policy TEXT,
  dead_letter_config TEXT,
  parameters TEXT,
  PRIMARY KEY (bus_name, rule_name, id),
  FOREIGN KEY (bus_name, rule_name) REFERENCES rules (bus_name, name) ON DELETE CASCADE
) STRICT;

-- ListRuleNamesByTarget: equality on (bus_name, arn), then rule names in order for the page.
CREATE INDEX targets_by_arn ON targets (bus_name, arn, rule_name);

-- Keyed by ARN with no foreign key: buses, rules and (later) archives and connections all carry tags.
CREATE TABLE tags (
  resource_arn TEXT NOT NULL,
  tag_key TEXT NOT NULL,
  tag_value TEXT NOT NULL,
  PRIMARY KEY (resource_arn, tag_key)
) STRICT, WITHOUT ROWID;

CREATE TABLE access_keys (
  access_key_id TEXT NOT NULL PRIMARY KEY,
  secret_ciphertext TEXT NOT NULL,
  description TEXT,
  created_at INTEGER NOT NULL
) STRICT;

-- seq is the order of acceptance (for archives and replays); a rowid table because envelopes reach
-- 256 KB, far above the row size WITHOUT ROWID tables suit.
CREATE TABLE events (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  bus_name TEXT NOT NULL,
  envelope TEXT NOT NULL,
  ingested_at INTEGER NOT NULL
) STRICT;

-- seq is the order of creation: listDeliveries pages by it and claims break due_at ties with it.
CREATE TABLE deliveries (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  bus_name TEXT NOT NULL,
  rule_name TEXT NOT NULL,
  rule_arn TEXT NOT NULL,
  target_id TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'in-flight', 'delivered', 'failed', 'dead-lettered')),
  attempts INTEGER NOT NULL,
  due_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  lease_owner TEXT,
  lease_expires_at INTEGER,
  last_error TEXT
) STRICT;

-- Claims: partial indexes hold only the rows a worker can take, so their size follows the backlog and
-- the workers in flight, not the history of delivered rows. Each is ordered (key, seq) by the rowid.
CREATE INDEX deliveries_pending_by_due ON deliveries (due_at) WHERE status = 'pending';
CREATE INDEX deliveries_in_flight_by_lease ON deliveries (lease_expires_at) WHERE status = 'in-flight';
-- Deliveries of one event (console, API), and by status (dead letters, failures).
CREATE INDEX deliveries_by_event ON deliveries (event_id);
CREATE INDEX deliveries_by_status ON deliveries (status);

-- attempt numbers can repeat: a worker that lost its lease still records what it did. duration_ms is REAL
-- because workers measure it with performance.now().
CREATE TABLE attempts (
  seq INTEGER PRIMARY KEY,
  delivery_id TEXT NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
  attempt INTEGER NOT NULL,
  started_at INTEGER NOT NULL,
  duration_ms REAL NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('success', 'retryable-failure', 'permanent-failure')),
  status_code INTEGER,
  error TEXT,
  response_excerpt TEXT
) STRICT;

CREATE INDEX attempts_by_delivery ON attempts (delivery_id, attempt);
