-- A page of a bus's rules in name order, as list_buses (prefix '' for all, :after '' on the first page,
-- :limit one more than the page size); the primary key (bus_name, name) serves it.
-- Parameters: bus_name, prefix, after, limit
SELECT bus_name, name, arn, event_pattern, schedule_expression, state, description, role_arn, managed_by,
  created_by, created_at, updated_at
FROM rules
WHERE bus_name = :bus_name
  AND name > :after AND name >= :prefix AND starts_with(name, :prefix)
ORDER BY name
LIMIT :limit
