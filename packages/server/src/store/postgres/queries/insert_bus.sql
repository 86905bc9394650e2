-- Creates a bus unless the name is taken (then the row count is 0: `exists`).
-- Parameters: name, arn, description, kms_key_identifier, dead_letter_config, log_config, policy, created_at,
-- updated_at
INSERT INTO buses (
  name, arn, description, kms_key_identifier, dead_letter_config, log_config, policy, created_at, updated_at
)
VALUES (
  :name, :arn, :description, :kms_key_identifier, :dead_letter_config, :log_config, :policy, :created_at,
  :updated_at
)
ON CONFLICT (name) DO NOTHING
