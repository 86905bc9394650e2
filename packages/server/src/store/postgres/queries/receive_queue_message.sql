-- Marks one message received: a new receipt token, one more receive, the first receive time kept, and
-- invisible until :visible_until.
-- Parameters: seq, receipt_token, now, visible_until
UPDATE queue_messages
SET receive_count = receive_count + 1,
  first_received_at = coalesce(first_received_at, :now),
  last_received_at = :now,
  receipt_token = :receipt_token,
  visible_at = :visible_until
WHERE seq = :seq
RETURNING seq, queue_name, id, body, message_attributes, system_attributes, group_id, deduplication_id,
  sent_at, enqueued_at, visible_at, receive_count, first_received_at, last_received_at, receipt_token,
  dead_letter_source_arn
