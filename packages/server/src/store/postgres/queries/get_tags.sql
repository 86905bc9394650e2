-- The tags of a resource, in key order.
-- Parameters: resource_arn
SELECT tag_key, tag_value
FROM tags
WHERE resource_arn = :resource_arn
ORDER BY tag_key
