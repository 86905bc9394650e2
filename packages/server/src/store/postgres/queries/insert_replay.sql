-- Creates a replay; no row changes when the name is taken.
-- Parameters: name, arn, description, archive_name, event_source_arn, destination_arn, filter_arns,
-- event_start_time, event_end_time, state, replay_start_time, events_total
INSERT INTO replays (
  name, arn, description, archive_name, event_source_arn, destination_arn, filter_arns, event_start_time,
  event_end_time, state, replay_start_time, events_replayed, events_total
)
VALUES (
  :name, :arn, :description, :archive_name, :event_source_arn, :destination_arn, :filter_arns,
  :event_start_time, :event_end_time, :state, :replay_start_time, 0, :events_total
)
ON CONFLICT (name) DO NOTHING
