-- Deletes tasks closed before :before, and pending ones whose timeout passed before :before.
-- Parameters: before
DELETE FROM task_tokens
WHERE (closed_at IS NOT NULL AND closed_at < :before)
  OR (closed_at IS NULL AND timeout_at < :before)
