-- A page of archives in name order, by prefix ('' for all), bus (NULL for any) and state (NULL for any);
-- :after '' on the first page, :limit one more than the page size.
-- Parameters: prefix, bus_name, state, after, limit
SELECT name, arn, bus_name, event_source_arn, description, event_pattern, retention_days, state, created_at,
  updated_at
FROM archives
WHERE name > :after AND name >= :prefix AND left(name, length(:prefix)) = :prefix
  AND (:bus_name::text IS NULL OR bus_name = :bus_name)
  AND (:state::text IS NULL OR state = :state)
ORDER BY name
LIMIT :limit
