-- A page of buses in name order, after the page token's name, starting with a prefix ('' for all).
-- The prefix test is starts_with() rather than LIKE (wildcards); name >= :prefix lets the primary key
-- seek to the first candidate (names are COLLATE "C": byte order). :after is '' on the first page (names
-- are never empty). :limit is one more than the page size, to know whether a next page exists.
-- Parameters: prefix, after, limit
SELECT name, arn, description, kms_key_identifier, dead_letter_config, log_config, policy, created_at,
  updated_at
FROM buses
WHERE name > :after AND name >= :prefix AND starts_with(name, :prefix)
ORDER BY name
LIMIT :limit
