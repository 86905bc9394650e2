-- FIFO queues: up to :limit messages visible at :now in seq order, skipping each message of a group
-- that has an earlier message still invisible (delayed, or in flight) or any message in flight
-- (received, receive_count > 0, and invisible). The outer walk follows queue_messages_in_order; the NOT
-- EXISTS probe is an index range in queue_messages_by_group (queue, group, visible_at > :now), empty
-- for most groups. Runs under lock_queue_for_receive, so no lock is taken on the rows themselves.
-- Messages enqueued at or before :expired_before (NULL: no retention) are never returned.
-- Parameters: queue_name, now, expired_before, limit
SELECT m.seq, m.queue_name, m.id, m.body, m.message_attributes, m.system_attributes, m.group_id,
  m.deduplication_id, m.sent_at, m.enqueued_at, m.visible_at, m.receive_count, m.first_received_at,
  m.last_received_at, m.receipt_token, m.dead_letter_source_arn
FROM queue_messages AS m
WHERE m.queue_name = :queue_name AND m.visible_at <= :now
  AND (:expired_before::bigint IS NULL OR m.enqueued_at > :expired_before::bigint)
  AND NOT EXISTS (
    SELECT 1 FROM queue_messages AS b
    WHERE b.queue_name = :queue_name AND b.group_id = m.group_id AND b.visible_at > :now
      AND (b.seq < m.seq OR b.receive_count > 0)
  )
ORDER BY m.seq
LIMIT :limit
