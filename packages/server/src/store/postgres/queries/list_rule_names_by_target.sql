-- A page of the names of a bus's rules with a target of this ARN, in name order (targets_by_arn);
-- DISTINCT because one rule may hold several targets with the same ARN.
-- Parameters: bus_name, arn, after, limit
SELECT DISTINCT rule_name
FROM targets
WHERE bus_name = :bus_name AND arn = :arn AND rule_name > :after
ORDER BY rule_name
LIMIT :limit
