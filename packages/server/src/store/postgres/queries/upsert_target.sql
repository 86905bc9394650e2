-- Inserts a target or replaces the one with the same id on the rule.
-- Parameters: bus_name, rule_name, id, arn, role_arn, input, input_path, input_transformer, retry_policy,
-- dead_letter_config, parameters
INSERT INTO targets (
  bus_name, rule_name, id, arn, role_arn, input, input_path, input_transformer, retry_policy,
  dead_letter_config, parameters
)
VALUES (
  :bus_name, :rule_name, :id, :arn, :role_arn, :input, :input_path, :input_transformer, :retry_policy,
  :dead_letter_config, :parameters
)
ON CONFLICT (bus_name, rule_name, id) DO UPDATE SET
  arn = excluded.arn,
  role_arn = excluded.role_arn,
  input = excluded.input,
  input_path = excluded.input_path,
  input_transformer = excluded.input_transformer,
  retry_policy = excluded.retry_policy,
  dead_letter_config = excluded.dead_letter_config,
  parameters = excluded.parameters
