-- A page of sinks in name order (:after '' on the first page, :limit one more than the page size).
-- Parameters: after, limit
SELECT name, arn, settings, created_at, updated_at
FROM sinks
WHERE name > :after
ORDER BY name
LIMIT :limit
