-- One sink by name.
-- Parameters: name
SELECT name, arn, settings, created_at, updated_at
FROM sinks
WHERE name = :name
