-- The message a deduplication id was accepted for, while its window is open at :now.
-- Parameters: queue_name, scope_key, deduplication_id, now
SELECT message_id, seq
FROM queue_deduplication
WHERE queue_name = :queue_name AND scope_key = :scope_key AND deduplication_id = :deduplication_id
  AND expires_at > :now
