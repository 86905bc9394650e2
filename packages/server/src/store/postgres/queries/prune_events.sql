-- Deletes up to :limit of the oldest events (seq order, the order of acceptance) ingested before :before
-- whose deliveries are all final (none pending or in flight); their deliveries and attempts go with them
-- (ON DELETE CASCADE). The window is the :limit oldest events, so each call reads a bounded number of
-- rows; an event still being delivered keeps its place until its deliveries end. Final states never
-- turn back to pending, so the NOT EXISTS read at the statement's start stays true. Nodes pruning at once
-- wait on each other's row locks and delete each event once.
-- Parameters: before, limit
DELETE FROM events
WHERE seq IN (
  SELECT e.seq FROM (SELECT seq, id, ingested_at FROM events ORDER BY seq LIMIT :limit) AS e
  WHERE e.ingested_at < :before
    AND NOT EXISTS (
      SELECT 1 FROM deliveries AS d
      WHERE d.event_id = e.id AND d.status IN ('pending', 'in-flight')
    )
)
