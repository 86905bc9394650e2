-- Opens a deduplication window, replacing an entry whose window closed (never an open one: the caller
-- looked it up with get_queue_deduplication in the same transaction).
-- Parameters: queue_name, scope_key, deduplication_id, message_id, seq, expires_at
INSERT INTO queue_deduplication (queue_name, scope_key, deduplication_id, message_id, seq, expires_at)
VALUES (:queue_name, :scope_key, :deduplication_id, :message_id, :seq, :expires_at)
ON CONFLICT (queue_name, scope_key, deduplication_id) DO UPDATE SET
  message_id = excluded.message_id,
  seq = excluded.seq,
  expires_at = excluded.expires_at
