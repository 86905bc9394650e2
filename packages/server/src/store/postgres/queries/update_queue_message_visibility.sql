-- Sets when one message becomes visible again (the caller checked its receipt token).
-- Parameters: seq, visible_at
UPDATE queue_messages
SET visible_at = :visible_at
WHERE seq = :seq
