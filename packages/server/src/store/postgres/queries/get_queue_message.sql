-- One message of a queue by id (queue_messages_by_id).
-- Parameters: queue_name, id
SELECT seq, queue_name, id, body, message_attributes, system_attributes, group_id, deduplication_id, sent_at,
  enqueued_at, visible_at, receive_count, first_received_at, last_received_at, receipt_token,
  dead_letter_source_arn
FROM queue_messages
WHERE queue_name = :queue_name AND id = :id
