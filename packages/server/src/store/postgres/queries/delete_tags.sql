-- Removes tags of a resource by key (absent keys are no-ops).
-- Parameters: resource_arn, tag_keys
DELETE FROM tags
WHERE resource_arn = :resource_arn AND tag_key = ANY (:tag_keys::text[])
