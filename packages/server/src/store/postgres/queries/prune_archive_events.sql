-- Retention: deletes an archive's events whose event time is before :before.
-- Parameters: archive_name, before
DELETE FROM archive_events
WHERE archive_name = :archive_name AND event_time < :before
