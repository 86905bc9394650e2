-- Deletes the tags of a queue, by the ARN its record holds (run before delete_queue).
-- Parameters: name
DELETE FROM tags
WHERE resource_arn IN (SELECT arn FROM queues WHERE name = :name)
