-- How many rules a bus has.
-- Parameters: bus_name
SELECT count(*)::integer AS count
FROM rules
WHERE bus_name = :bus_name
