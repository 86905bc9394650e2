-- Records the timeout of a pending task whose deadline has passed by :now (rowCount is 0 otherwise).
-- Parameters: token_hash, error, cause, now
UPDATE task_tokens
SET status = 'timed-out', error = :error, cause = :cause, closed_at = :now
WHERE token_hash = :token_hash
  AND status = 'pending'
  AND (timeout_at <= :now OR heartbeat_deadline <= :now)
