-- EventCount and SizeBytes of an archive.
-- Parameters: archive_name
SELECT count(*)::integer AS event_count, coalesce(sum(size_bytes), 0)::bigint AS size_bytes
FROM archive_events
WHERE archive_name = :archive_name
