-- Replays not ended yet (EventBridge allows 10 at a time).
-- Parameters: none
SELECT count(*)::integer AS active
FROM replays
WHERE state IN ('STARTING', 'RUNNING', 'CANCELLING')
