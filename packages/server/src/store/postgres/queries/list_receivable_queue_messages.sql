-- Standard queues: up to :limit messages visible at :now, the longest visible first (visible_at, then
-- seq), read in that order from queue_messages_by_visibility. SQS gives standard queues no order; this
-- one is close to send order and lets a message whose visibility timeout ended go before those sent
-- after that. FOR UPDATE SKIP LOCKED: concurrent receivers (on any node) take disjoint messages without
-- waiting for each other; a message received and committed meanwhile is re-checked and dropped.
-- Messages enqueued at or before :expired_before (NULL: no retention) are never returned, even those
-- a concurrent prune still holds.
-- Parameters: queue_name, now, expired_before, limit
SELECT seq, queue_name, id, body, message_attributes, system_attributes, group_id, deduplication_id, sent_at,
  enqueued_at, visible_at, receive_count, first_received_at, last_received_at, receipt_token,
  dead_letter_source_arn
FROM queue_messages
WHERE queue_name = :queue_name AND visible_at <= :now
  AND (:expired_before::bigint IS NULL OR enqueued_at > :expired_before::bigint)
ORDER BY visible_at, seq
LIMIT :limit
FOR UPDATE SKIP LOCKED
