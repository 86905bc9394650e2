-- Up to :limit messages of a queue visible at :now, oldest (seq) first, to move to another queue; locked,
-- skipping those a concurrent receive or move holds (they are not visible to move).
-- Parameters: queue_name, now, limit
SELECT seq, queue_name, id, body, message_attributes, system_attributes, group_id, deduplication_id, sent_at,
  enqueued_at, visible_at, receive_count, first_received_at, last_received_at, receipt_token,
  dead_letter_source_arn
FROM queue_messages
WHERE queue_name = :queue_name AND visible_at <= :now
ORDER BY seq
LIMIT :limit
FOR UPDATE SKIP LOCKED
