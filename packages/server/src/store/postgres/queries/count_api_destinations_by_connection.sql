-- How many API destinations call through a connection.
-- Parameters: connection_arn
SELECT count(*)::integer AS count
FROM api_destinations
WHERE connection_arn = :connection_arn
