-- When the next invisible message of a queue becomes visible (NULL when none is invisible): the first
-- entry after :now in queue_messages_by_visibility. Long polls sleep until then.
-- Parameters: queue_name, now
SELECT min(visible_at) AS visible_at
FROM queue_messages
WHERE queue_name = :queue_name AND visible_at > :now
