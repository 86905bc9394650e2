-- How many archived events fall in an event-time window (both ends included).
-- Parameters: archive_name, from_time, to_time
SELECT count(*)::integer AS event_count
FROM archive_events
WHERE archive_name = :archive_name AND event_time >= :from_time AND event_time <= :to_time
