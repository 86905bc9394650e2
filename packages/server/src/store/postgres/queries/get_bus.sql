-- One bus by name.
-- Parameters: name
SELECT name, arn, description, kms_key_identifier, dead_letter_config, log_config, policy, created_at,
  updated_at
FROM buses
WHERE name = :name
