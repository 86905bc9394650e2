-- Deletes a bus; its rules and their targets go with it (ON DELETE CASCADE).
-- Parameters: name
DELETE FROM buses
WHERE name = :name
