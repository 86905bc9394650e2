-- Standard queues: up to :limit messages visible at :now, the longest visible first (visible_at, then
-- seq), read in that order from queue_messages_by_visibility: no sort, whatever the backlog. SQS gives
-- standard queues no order; this one is close to send order and lets a message whose visibility timeout
-- ended go before those sent after that.
-- Parameters: queue_name, now, limit
SELECT seq, queue_name, id, body, message_attributes, system_attributes, group_id, deduplication_id, sent_at,
  enqueued_at, visible_at, receive_count, first_received_at, last_received_at, receipt_token,
  dead_letter_source_arn
FROM queue_messages INDEXED BY queue_messages_by_visibility
WHERE queue_name = :queue_name AND visible_at <= :now
ORDER BY visible_at, seq
LIMIT :limit
