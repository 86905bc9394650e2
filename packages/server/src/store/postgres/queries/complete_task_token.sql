-- Closes a pending task that has not timed out by :now with its outcome (rowCount is 0 otherwise).
-- Parameters: token_hash, status, output, error, cause, now
UPDATE task_tokens
SET status = :status, output = :output, error = :error, cause = :cause, closed_at = :now
WHERE token_hash = :token_hash
  AND status = 'pending'
  AND timeout_at > :now
  AND (heartbeat_deadline IS NULL OR heartbeat_deadline > :now)
