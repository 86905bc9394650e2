-- One connection by name, locked until the end of the transaction: an API destination created through it
-- meanwhile (which locks the connection with KEY SHARE through its foreign key) waits, so deleteConnection
-- decides `in-use` on what is committed.
-- Parameters: name
SELECT arn
FROM connections
WHERE name = :name
FOR UPDATE
