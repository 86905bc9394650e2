-- How many pending deliveries are due by :now, counting no further than :limit (a bounded walk of the
-- partial index deliveries_pending_by_due: the replayer only asks whether the backlog is above a
-- threshold).
-- Parameters: now, limit
SELECT count(*)::integer AS n FROM (
  SELECT 1 FROM deliveries
  WHERE status = 'pending' AND due_at <= :now
  LIMIT :limit
) AS due
