-- EventCount and SizeBytes of an archive.
-- Parameters: archive_name
SELECT count(*) AS event_count, coalesce(sum(size_bytes), 0) AS size_bytes
FROM archive_events
WHERE archive_name = :archive_name
