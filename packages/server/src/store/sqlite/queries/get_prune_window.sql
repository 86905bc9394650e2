-- The window prune_events.sql works on: the last seq of the :limit events after seq :after (NULL when
-- there are none) and how many of them were ingested at or after :before (the window reached events
-- still within retention).
-- Parameters: before, after, limit
SELECT max(seq) AS last_seq, coalesce(sum(ingested_at >= :before), 0) AS recent
FROM (SELECT seq, ingested_at FROM events WHERE seq > :after ORDER BY seq LIMIT :limit)
