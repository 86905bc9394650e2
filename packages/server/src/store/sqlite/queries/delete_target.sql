-- Removes one target of a rule (changes() tells whether it existed).
-- Parameters: bus_name, rule_name, id
DELETE FROM targets
WHERE bus_name = :bus_name AND rule_name = :rule_name AND id = :id
