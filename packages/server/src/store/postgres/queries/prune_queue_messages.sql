-- Retention (pruneQueue, and receives first): deletes a queue's messages enqueued at or before :enqueued_before, skipping those
-- another transaction holds (its receive or delete settles them; list_receivable_queue_messages never
-- returns an expired message either way). SKIP LOCKED also keeps two receivers pruning the same rows
-- in different orders from deadlocking.
-- Parameters: queue_name, enqueued_before
DELETE FROM queue_messages
WHERE seq IN (
  SELECT seq FROM queue_messages
  WHERE queue_name = :queue_name AND enqueued_at <= :enqueued_before
  FOR UPDATE SKIP LOCKED
)
