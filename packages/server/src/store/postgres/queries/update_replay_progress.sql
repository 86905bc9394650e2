-- Records how far a replay got; only while it is STARTING or RUNNING (a cancel is not overwritten).
-- Parameters: name, cursor_time, cursor_seq, event_last_replayed_time, events_replayed
UPDATE replays
SET state = 'RUNNING', cursor_time = :cursor_time, cursor_seq = :cursor_seq,
  event_last_replayed_time = :event_last_replayed_time, events_replayed = :events_replayed
WHERE name = :name AND state IN ('STARTING', 'RUNNING')
