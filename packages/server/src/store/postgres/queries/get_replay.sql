-- One replay by name.
-- Parameters: name
SELECT name, arn, description, archive_name, event_source_arn, destination_arn, filter_arns, event_start_time,
  event_end_time, state, state_reason, replay_start_time, replay_end_time, event_last_replayed_time, cursor_time,
  cursor_seq, events_replayed, events_total
FROM replays
WHERE name = :name
