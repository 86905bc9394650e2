-- Replaces a bus's mutable fields; name, arn and created_at never change.
-- Parameters: name, description, kms_key_identifier, dead_letter_config, log_config, policy, updated_at
UPDATE buses
SET description = :description,
  kms_key_identifier = :kms_key_identifier,
  dead_letter_config = :dead_letter_config,
  log_config = :log_config,
  policy = :policy,
  updated_at = :updated_at
WHERE name = :name
