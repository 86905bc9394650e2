-- 0009_task_tokens: task tokens for Step Functions-style callbacks (SendTaskSuccess, SendTaskFailure,
-- SendTaskHeartbeat) and Busway.CreateTask/WaitForTask. The PostgreSQL twin of
-- sqlite/migrations/0008_task_tokens.sql (numbered one higher: 0006_cluster has no SQLite twin); applied
-- as 0001 is. Append-only.
-- token_hash is the SHA-256 (hex) of the token: the store never holds the token in clear. A pending task
-- whose timeout_at or heartbeat_deadline has passed is timed out when the service next reads it.
CREATE TABLE task_tokens (
  token_hash text COLLATE "C" NOT NULL PRIMARY KEY,
  status text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed', 'timed-out')),
  created_at bigint NOT NULL,
  timeout_at bigint NOT NULL,
  heartbeat_ms bigint,
  heartbeat_deadline bigint,
  output text,
  error text,
  cause text,
  closed_at bigint
);

-- Pruning scans by age: closed tasks by closed_at, pending ones by timeout_at.
CREATE INDEX task_tokens_by_closed_at ON task_tokens (closed_at) WHERE closed_at IS NOT NULL;
CREATE INDEX task_tokens_by_timeout_at ON task_tokens (timeout_at) WHERE closed_at IS NULL;
