-- Removes targets of a rule by id, returning the ids that existed (in no defined order).
-- Parameters: bus_name, rule_name, ids
DELETE FROM targets
WHERE bus_name = :bus_name AND rule_name = :rule_name AND id = ANY (:ids::text[])
RETURNING id
