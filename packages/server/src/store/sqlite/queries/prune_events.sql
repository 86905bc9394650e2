-- Retention: deletes, of the :limit events after seq :after (the order of acceptance), those ingested
-- before :before whose deliveries are all final (none pending or in flight) and that no archive holds
-- (an archive keeps its events for its own retention, pruneArchive); their deliveries and attempts go
-- with them (ON DELETE CASCADE, through deliveries_by_event and attempts_by_delivery). A window of the
-- primary key rather than an index on ingested_at, which would cost every PutEvents; the caller moves
-- :after on (get_prune_window.sql), so events kept back do not hold back those after them. Final states
-- never turn back to pending, so the check cannot be overtaken by a delivery.
-- Parameters: before, after, limit
DELETE FROM events
WHERE seq IN (
  SELECT e.seq FROM (SELECT seq, id, ingested_at FROM events WHERE seq > :after ORDER BY seq LIMIT :limit) AS e
  WHERE e.ingested_at < :before
    AND NOT EXISTS (
      SELECT 1 FROM deliveries AS d
      WHERE d.event_id = e.id AND d.status IN ('pending', 'in-flight')
    )
    AND NOT EXISTS (SELECT 1 FROM archive_events AS a WHERE a.event_id = e.id)
)
