-- Creates a sink; no row changes when the name is taken.
-- Parameters: name, arn, settings, created_at, updated_at
INSERT INTO sinks (name, arn, settings, created_at, updated_at)
VALUES (:name, :arn, :settings, :created_at, :updated_at)
ON CONFLICT (name) DO NOTHING
