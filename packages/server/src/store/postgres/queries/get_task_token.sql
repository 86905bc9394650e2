-- One task by token hash.
-- Parameters: token_hash
SELECT token_hash, status, created_at, timeout_at, heartbeat_ms, heartbeat_deadline, output, error, cause,
  closed_at
FROM task_tokens
WHERE token_hash = :token_hash
