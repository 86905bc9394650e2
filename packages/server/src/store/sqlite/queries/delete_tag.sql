-- Removes one tag (absent keys are no-ops).
-- Parameters: resource_arn, tag_key
DELETE FROM tags
WHERE resource_arn = :resource_arn AND tag_key = :tag_key
