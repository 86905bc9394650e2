-- Adds a tag or overwrites its value.
-- Parameters: resource_arn, tag_key, tag_value
INSERT INTO tags (resource_arn, tag_key, tag_value)
VALUES (:resource_arn, :tag_key, :tag_value)
ON CONFLICT (resource_arn, tag_key) DO UPDATE SET tag_value = excluded.tag_value
