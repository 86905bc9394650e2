-- Deletes an API destination.
-- Parameters: name
DELETE FROM api_destinations
WHERE name = :name
