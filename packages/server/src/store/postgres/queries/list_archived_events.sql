-- The next archived events of a window (both ends included) in event-time order, then acceptance order,
-- strictly after the cursor (:after_time, :after_seq); (-1, 0) for the start. Reads the index range
-- archive_events_by_time only, then each event by its primary key.
-- Parameters: archive_name, from_time, to_time, after_time, after_seq, limit
SELECT a.seq AS seq, a.event_time AS event_time, e.id AS id, e.bus_name AS bus_name, e.envelope AS envelope,
  e.ingested_at AS ingested_at
FROM archive_events AS a
JOIN events AS e ON e.id = a.event_id
WHERE a.archive_name = :archive_name AND a.event_time >= :from_time AND a.event_time <= :to_time
  AND (a.event_time > :after_time OR (a.event_time = :after_time AND a.seq > :after_seq))
ORDER BY a.event_time, a.seq
LIMIT :limit
