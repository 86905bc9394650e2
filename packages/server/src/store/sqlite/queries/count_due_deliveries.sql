-- How many pending deliveries are due by :now, counting no further than :limit (a bounded walk of the
-- pending index: the replayer only asks whether the backlog is above a threshold).
-- Parameters: now, limit
SELECT count(*) AS n FROM (
  SELECT 1 FROM deliveries INDEXED BY deliveries_pending_by_due
  WHERE status = 'pending' AND due_at <= :now
  LIMIT :limit
)
