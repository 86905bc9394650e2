-- Creates an archive; no row changes when the name is taken.
-- Parameters: name, arn, bus_name, event_source_arn, description, event_pattern, retention_days, state,
-- created_at, updated_at
INSERT INTO archives (
  name, arn, bus_name, event_source_arn, description, event_pattern, retention_days, state, created_at,
  updated_at
)
VALUES (
  :name, :arn, :bus_name, :event_source_arn, :description, :event_pattern, :retention_days, :state,
  :created_at, :updated_at
)
ON CONFLICT (name) DO NOTHING
