-- Stores a message: a new one (receive_count 0, enqueued_at = sent_at) or one moved from another queue.
-- A missing queue fails the foreign key; a duplicate (queue, id) fails the unique index.
-- Parameters: queue_name, id, body, message_attributes, system_attributes, group_id, deduplication_id,
-- sent_at, enqueued_at, visible_at, receive_count, dead_letter_source_arn
INSERT INTO queue_messages (
  queue_name, id, body, message_attributes, system_attributes, group_id, deduplication_id, sent_at,
  enqueued_at, visible_at, receive_count, dead_letter_source_arn
)
VALUES (
  :queue_name, :id, :body, :message_attributes, :system_attributes, :group_id, :deduplication_id, :sent_at,
  :enqueued_at, :visible_at, :receive_count, :dead_letter_source_arn
)
RETURNING seq
