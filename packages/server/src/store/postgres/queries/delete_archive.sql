-- Deletes an archive; its archived events go with it (ON DELETE CASCADE).
-- Parameters: name
DELETE FROM archives
WHERE name = :name
