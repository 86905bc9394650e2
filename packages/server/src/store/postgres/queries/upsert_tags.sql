-- Adds tags to a resource or overwrites their values, one array element per tag (the caller passes each
-- key once: ON CONFLICT cannot touch one row twice in a statement).
-- Parameters: resource_arn, tag_keys, tag_values
INSERT INTO tags (resource_arn, tag_key, tag_value)
SELECT :resource_arn::text, t.tag_key, t.tag_value
FROM unnest(:tag_keys::text[], :tag_values::text[]) AS t (tag_key, tag_value)
ON CONFLICT (resource_arn, tag_key) DO UPDATE SET tag_value = excluded.tag_value
