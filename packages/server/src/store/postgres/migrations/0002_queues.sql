-- 0002_queues: the SQS-compatible queue service: queues, their messages, and FIFO deduplication entries.
-- The PostgreSQL twin of sqlite/migrations/0002_queues.sql; applied as 0001 is. Append-only.
-- Queue tags live in the tags table of 0001, keyed by the queue's ARN.

-- attributes is a JSON object of the settable SQS attributes by their AWS names, string values, with
-- defaults filled in by the queue service (the store reads none of them).
CREATE TABLE queues (
  name text COLLATE "C" NOT NULL PRIMARY KEY,
  arn text NOT NULL,
  fifo boolean NOT NULL,
  attributes jsonb NOT NULL,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL
);

-- seq is the order of acceptance across all queues and the FIFO sequence number: an identity, so it
-- only grows and is never reused. FIFO sends of one queue are serialised (see send_queue_lock.sql),
-- so within a FIFO queue seq order is also commit order.
-- visible_at: when the message can next be received (sent_at + delay at first, then the end of each
-- visibility timeout). enqueued_at is what retention counts from: sent_at, restarted when moved into a
-- FIFO queue (as SQS does). receipt_token is the secret of the latest receive, NULL before the first.
CREATE TABLE queue_messages (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  queue_name text COLLATE "C" NOT NULL REFERENCES queues (name) ON DELETE CASCADE,
  id text COLLATE "C" NOT NULL,
  body text NOT NULL,
  message_attributes jsonb,
  system_attributes jsonb,
  group_id text COLLATE "C",
  deduplication_id text COLLATE "C",
  sent_at bigint NOT NULL,
  enqueued_at bigint NOT NULL,
  visible_at bigint NOT NULL,
  receive_count integer NOT NULL,
  first_received_at bigint,
  last_received_at bigint,
  receipt_token text,
  dead_letter_source_arn text
);

-- Receipt handles name a message by (queue, id).
CREATE UNIQUE INDEX queue_messages_by_id ON queue_messages (queue_name, id);
-- Standard receives and the approximate counts: the visible range of one queue, in (visible_at, seq) order.
CREATE INDEX queue_messages_by_visibility ON queue_messages (queue_name, visible_at, seq);
-- FIFO receives walk a queue in seq order; moves take the oldest first.
CREATE INDEX queue_messages_in_order ON queue_messages (queue_name, seq);
-- FIFO receives: is an earlier or in-flight message of the same group still invisible?
CREATE INDEX queue_messages_by_group ON queue_messages (queue_name, group_id, visible_at);
-- Retention: the expired messages of one queue, without reading the others.
CREATE INDEX queue_messages_by_enqueue ON queue_messages (queue_name, enqueued_at);

-- FIFO deduplication: one row per deduplication id seen in the last window, kept after its message is
-- received or deleted (SQS deduplicates for 5 minutes from the first send, whatever became of it).
-- scope_key is '' when the queue deduplicates queue-wide, the message group id when per group.
CREATE TABLE queue_deduplication (
  queue_name text COLLATE "C" NOT NULL REFERENCES queues (name) ON DELETE CASCADE,
  scope_key text COLLATE "C" NOT NULL,
  deduplication_id text COLLATE "C" NOT NULL,
  message_id text NOT NULL,
  seq bigint NOT NULL,
  expires_at bigint NOT NULL,
  PRIMARY KEY (queue_name, scope_key, deduplication_id)
);

CREATE INDEX queue_deduplication_by_expiry ON queue_deduplication (queue_name, expires_at);
