-- Deletes a queue's deduplication entries whose window closed by :now.
-- Parameters: queue_name, now
DELETE FROM queue_deduplication
WHERE queue_name = :queue_name AND expires_at <= :now
