-- 0008_task_tokens: task tokens for Step Functions-style callbacks (SendTaskSuccess, SendTaskFailure,
-- SendTaskHeartbeat) and Busway.CreateTask/WaitForTask. Applied by migrate.ts inside one IMMEDIATE
-- transaction with its ledger row; append-only.
-- token_hash is the SHA-256 (hex) of the token: the token is a bearer secret (whoever holds it may
-- answer the task), so the store never holds it in clear.
-- A pending task whose timeout_at or heartbeat_deadline has passed is timed out; the service records
-- that (status 'timed-out') when it next reads the task, so no timer writes to the store.
-- Closed tasks stay until pruned, so a late answer gets TaskTimedOut rather than TaskDoesNotExist.
CREATE TABLE task_tokens (
  token_hash TEXT NOT NULL PRIMARY KEY,
  status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed', 'timed-out')),
  created_at INTEGER NOT NULL,
  timeout_at INTEGER NOT NULL,
  heartbeat_ms INTEGER,
  heartbeat_deadline INTEGER,
  output TEXT,
  error TEXT,
  cause TEXT,
  closed_at INTEGER
) STRICT;

-- Pruning scans by age: closed tasks by closed_at, pending ones by timeout_at.
CREATE INDEX task_tokens_by_closed_at ON task_tokens (closed_at) WHERE closed_at IS NOT NULL;
CREATE INDEX task_tokens_by_timeout_at ON task_tokens (timeout_at) WHERE closed_at IS NULL;
