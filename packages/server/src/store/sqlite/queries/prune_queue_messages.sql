-- Retention: deletes a queue's messages enqueued at or before :enqueued_before (queue_messages_by_enqueue).
-- Parameters: queue_name, enqueued_before
DELETE FROM queue_messages
WHERE queue_name = :queue_name AND enqueued_at <= :enqueued_before
