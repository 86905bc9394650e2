-- Deletes the tags of a rule, by the ARN its record holds (run before delete_rule).
-- Parameters: bus_name, name
DELETE FROM tags
WHERE resource_arn IN (SELECT arn FROM rules WHERE bus_name = :bus_name AND name = :name)
