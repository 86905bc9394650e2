-- Whether a connection with this ARN exists (1 row) or not (none).
-- Parameters: arn
SELECT arn
FROM connections
WHERE arn = :arn
