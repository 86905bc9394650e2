-- Creates a pending task unless its token hash exists (then rowCount is 0: `exists`).
-- Parameters: token_hash, created_at, timeout_at, heartbeat_ms, heartbeat_deadline
INSERT INTO task_tokens (token_hash, status, created_at, timeout_at, heartbeat_ms, heartbeat_deadline)
VALUES (:token_hash, 'pending', :created_at, :timeout_at, :heartbeat_ms, :heartbeat_deadline)
ON CONFLICT (token_hash) DO NOTHING
