-- 0001_init: buses, rules, targets, tags, access keys, the event log, deliveries and their attempts.
-- The PostgreSQL twin of sqlite/migrations/0001_init.sql. Applied by postgres/migrate.ts in one
-- transaction with its ledger row, under an advisory lock; append-only: change the schema with a new
-- numbered file, never by editing this one. Unqualified names: the runner sets search_path to the
-- store's schema.
-- Times are epoch milliseconds (bigint). Structured fields the store never queries are jsonb (checked
-- JSON, readable with ->> by an operator); texts that must come back byte for byte (event envelopes,
-- event patterns, resource policies, target inputs) are text. Names and ids are COLLATE "C": listings
-- page in byte order, as SQLite's BINARY collation does, whatever the database's locale.

CREATE TABLE buses (
  name text COLLATE "C" NOT NULL PRIMARY KEY,
  arn text NOT NULL,
  description text,
  kms_key_identifier text,
  dead_letter_config jsonb,
  log_config jsonb,
  policy text,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL
);

-- The primary key (bus_name, name) is the index for rules by bus, in name order.
CREATE TABLE rules (
  bus_name text COLLATE "C" NOT NULL REFERENCES buses (name) ON DELETE CASCADE,
  name text COLLATE "C" NOT NULL,
  arn text NOT NULL,
  event_pattern text,
  schedule_expression text,
  state text NOT NULL
    CHECK (state IN ('ENABLED', 'DISABLED', 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS')),
  description text,
  role_arn text,
  managed_by text,
  created_by text NOT NULL,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  PRIMARY KEY (bus_name, name)
);

CREATE TABLE targets (
  bus_name text COLLATE "C" NOT NULL,
  rule_name text COLLATE "C" NOT NULL,
  id text COLLATE "C" NOT NULL,
  arn text COLLATE "C" NOT NULL,
  role_arn text,
  input text,
  input_path text,
  input_transformer jsonb,
  retry_policy jsonb,
  dead_letter_config jsonb,
  parameters jsonb,
  PRIMARY KEY (bus_name, rule_name, id),
  FOREIGN KEY (bus_name, rule_name) REFERENCES rules (bus_name, name) ON DELETE CASCADE
);

-- ListRuleNamesByTarget: equality on (bus_name, arn), then rule names in order for the page.
CREATE INDEX targets_by_arn ON targets (bus_name, arn, rule_name);

-- Keyed by ARN with no foreign key: buses, rules, queues and (later) archives and connections carry tags.
CREATE TABLE tags (
  resource_arn text COLLATE "C" NOT NULL,
  tag_key text COLLATE "C" NOT NULL,
  tag_value text NOT NULL,
  PRIMARY KEY (resource_arn, tag_key)
);

CREATE TABLE access_keys (
  access_key_id text COLLATE "C" NOT NULL PRIMARY KEY,
  secret_ciphertext text NOT NULL,
  description text,
  created_at bigint NOT NULL
);

-- seq is the order of acceptance (for archives and replays). An identity never hands out a value twice;
-- with several writers, seq order is allocation order, not commit order.
CREATE TABLE events (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id text COLLATE "C" NOT NULL UNIQUE,
  bus_name text COLLATE "C" NOT NULL,
  envelope text NOT NULL,
  ingested_at bigint NOT NULL
);

-- seq is the order of creation: listDeliveries pages by it and claims break due_at ties with it.
CREATE TABLE deliveries (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id text COLLATE "C" NOT NULL UNIQUE,
  event_id text COLLATE "C" NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  bus_name text COLLATE "C" NOT NULL,
  rule_name text COLLATE "C" NOT NULL,
  rule_arn text NOT NULL,
  target_id text COLLATE "C" NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'in-flight', 'delivered', 'failed', 'dead-lettered')),
  attempts integer NOT NULL,
  due_at bigint NOT NULL,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  lease_owner text,
  lease_expires_at bigint,
  last_error text
);

-- Claims: partial indexes hold only the rows a worker can take, so their size follows the backlog and
-- the workers in flight, not the history of delivered rows; (key, seq) is the claim order.
CREATE INDEX deliveries_pending_by_due ON deliveries (due_at, seq) WHERE status = 'pending';
CREATE INDEX deliveries_in_flight_by_lease ON deliveries (lease_expires_at) WHERE status = 'in-flight';
-- Deliveries of one event (console, API), and by status (dead letters, failures), in seq order.
CREATE INDEX deliveries_by_event ON deliveries (event_id, seq);
CREATE INDEX deliveries_by_status ON deliveries (status, seq);

-- attempt numbers can repeat: a worker that lost its lease still records what it did. duration_ms is
-- double precision because workers measure it with performance.now().
CREATE TABLE attempts (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  delivery_id text COLLATE "C" NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
  attempt integer NOT NULL,
  started_at bigint NOT NULL,
  duration_ms double precision NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('success', 'retryable-failure', 'permanent-failure')),
  status_code integer,
  error text,
  response_excerpt text
);

CREATE INDEX attempts_by_delivery ON attempts (delivery_id, attempt, seq);
