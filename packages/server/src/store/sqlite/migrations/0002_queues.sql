-- 0002_queues: the SQS-compatible queue service: queues, their messages, and FIFO deduplication entries.
-- Applied by migrate.ts inside one IMMEDIATE transaction with its ledger row; append-only.
-- Queue tags live in the tags table of 0001, keyed by the queue's ARN.

-- attributes is a JSON object of the settable SQS attributes by their AWS names, string values, with
-- defaults filled in by the queue service (the store reads none of them).
CREATE TABLE queues (
  name TEXT NOT NULL PRIMARY KEY,
  arn TEXT NOT NULL,
  fifo INTEGER NOT NULL CHECK (fifo IN (0, 1)),
  attributes TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

-- seq is the order of acceptance across all queues and the FIFO sequence number. AUTOINCREMENT because
-- a plain rowid reuses the largest value once its row is deleted (a message sent, received and deleted
-- would hand its sequence number to the next one); SQS sequence numbers only grow.
-- visible_at: when the message can next be received (sent_at + delay at first, then the end of each
-- visibility timeout). enqueued_at is what retention counts from: sent_at, restarted when moved into a
-- FIFO queue (as SQS does). receipt_token is the secret of the latest receive, NULL before the first.
CREATE TABLE queue_messages (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  queue_name TEXT NOT NULL REFERENCES queues (name) ON DELETE CASCADE,
  id TEXT NOT NULL,
  body TEXT NOT NULL,
  message_attributes TEXT,
  system_attributes TEXT,
  group_id TEXT,
  deduplication_id TEXT,
  sent_at INTEGER NOT NULL,
  enqueued_at INTEGER NOT NULL,
  visible_at INTEGER NOT NULL,
  receive_count INTEGER NOT NULL,
  first_received_at INTEGER,
  last_received_at INTEGER,
  receipt_token TEXT,
  dead_letter_source_arn TEXT
) STRICT;

-- Receipt handles name a message by (queue, id).
CREATE UNIQUE INDEX queue_messages_by_id ON queue_messages (queue_name, id);
-- Standard receives and the approximate counts: the visible range of one queue, in (visible_at, seq) order.
CREATE INDEX queue_messages_by_visibility ON queue_messages (queue_name, visible_at);
-- FIFO receives walk a queue in seq order (the rowid after queue_name); moves take the oldest first.
CREATE INDEX queue_messages_in_order ON queue_messages (queue_name);
-- FIFO receives: is an earlier or in-flight message of the same group still invisible?
CREATE INDEX queue_messages_by_group ON queue_messages (queue_name, group_id, visible_at);
-- Retention: the expired messages of one queue, without reading the others.
CREATE INDEX queue_messages_by_enqueue ON queue_messages (queue_name, enqueued_at);

-- FIFO deduplication: one row per deduplication id seen in the last window, kept after its message is
-- received or deleted (SQS deduplicates for 5 minutes from the first send, whatever became of it).
-- scope_key is '' when the queue deduplicates queue-wide, the message group id when per group.
CREATE TABLE queue_deduplication (
  queue_name TEXT NOT NULL REFERENCES queues (name) ON DELETE CASCADE,
  scope_key TEXT NOT NULL,
  deduplication_id TEXT NOT NULL,
  message_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (queue_name, scope_key, deduplication_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX queue_deduplication_by_expiry ON queue_deduplication (queue_name, expires_at);
