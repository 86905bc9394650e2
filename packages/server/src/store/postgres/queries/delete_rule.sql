-- Deletes a rule; its targets go with it (ON DELETE CASCADE).
-- Parameters: bus_name, name
DELETE FROM rules
WHERE bus_name = :bus_name AND name = :name
