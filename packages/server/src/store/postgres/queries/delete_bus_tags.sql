-- Deletes the tags of a bus and of its rules, found by the ARNs their records hold (run before
-- delete_bus, whose cascade removes those records).
-- Parameters: name
DELETE FROM tags
WHERE resource_arn IN (
  SELECT arn FROM buses WHERE name = :name
  UNION ALL
  SELECT arn FROM rules WHERE bus_name = :name
)
