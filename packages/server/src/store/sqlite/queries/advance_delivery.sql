-- Moves an in-flight delivery on after an attempt, only while :owner holds its lease (changes() is 0
-- otherwise: lease-lost). An expired lease nobody took over still counts as held: rejecting the result
-- would only make the delivery run again. :due_at and :error are NULL to keep the current values.
-- Parameters: id, owner, status, due_at, error, now
UPDATE deliveries
SET status = :status,
  attempts = attempts + 1,
  due_at = coalesce(:due_at, due_at),
  last_error = coalesce(:error, last_error),
  lease_owner = NULL,
  lease_expires_at = NULL,
  updated_at = :now
WHERE id = :id AND status = 'in-flight' AND lease_owner = :owner
