-- A page of a rule's targets in id order; :after is '' on the first page, :limit one more than the page.
-- Parameters: bus_name, rule_name, after, limit
SELECT bus_name, rule_name, id, arn, role_arn, input, input_path, input_transformer, retry_policy,
  dead_letter_config, parameters
FROM targets
WHERE bus_name = :bus_name AND rule_name = :rule_name AND id > :after
ORDER BY id
LIMIT :limit
