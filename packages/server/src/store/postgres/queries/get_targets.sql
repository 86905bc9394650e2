-- All targets of a rule, in id order (at most 5 in AWS).
-- Parameters: bus_name, rule_name
SELECT bus_name, rule_name, id, arn, role_arn, input, input_path, input_transformer, retry_policy,
  dead_letter_config, parameters
FROM targets
WHERE bus_name = :bus_name AND rule_name = :rule_name
ORDER BY id
