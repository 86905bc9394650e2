-- A heartbeat: moves the heartbeat deadline of a pending, live task to :now + heartbeat_ms (a task
-- without a heartbeat timeout keeps NULL). rowCount is 0 when the task is missing, closed or timed out.
-- Parameters: token_hash, now
UPDATE task_tokens
SET heartbeat_deadline = CASE WHEN heartbeat_ms IS NULL THEN NULL ELSE :now::bigint + heartbeat_ms END
WHERE token_hash = :token_hash
  AND status = 'pending'
  AND timeout_at > :now
  AND (heartbeat_deadline IS NULL OR heartbeat_deadline > :now)
