-- A page of inbound endpoints of one kind in id order, after the page token's id ('' on the first page;
-- ids are never empty). :limit is one more than the page size, to know whether a next page exists.
-- Parameters: kind, after, limit
SELECT kind, id, definition, secret_ciphertext, created_at, updated_at
FROM inbound_endpoints
WHERE kind = :kind AND id > :after
ORDER BY id
LIMIT :limit
