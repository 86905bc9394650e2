-- Records an attempt (of an existing delivery; nothing for an unknown id) and, only while :owner holds
-- the lease, moves the delivery on: one statement, so one transaction and one round trip. advanced is 0
-- when the lease was lost. An expired lease nobody took over still counts as held: rejecting the result
-- would only make the delivery run again. :due_at and :error are NULL to keep the current values.
-- The casts type the parameters, which an INSERT ... SELECT list does not infer from its columns.
-- Parameters: id, owner, status, due_at, error, now, attempt, started_at, duration_ms, outcome,
-- status_code, attempt_error, response_excerpt
WITH advanced AS (
  UPDATE deliveries
  SET status = :status::text,
    attempts = attempts + 1,
    due_at = coalesce(:due_at::bigint, due_at),
    last_error = coalesce(:error::text, last_error),
    lease_owner = NULL,
    lease_expires_at = NULL,
    updated_at = :now::bigint
  WHERE id = :id::text AND status = 'in-flight' AND lease_owner = :owner::text
  RETURNING 1
), recorded AS (
  INSERT INTO attempts (
    delivery_id, attempt, started_at, duration_ms, outcome, status_code, error, response_excerpt
  )
  SELECT :id::text, :attempt::integer, :started_at::bigint, :duration_ms::double precision,
    :outcome::text, :status_code::integer, :attempt_error::text, :response_excerpt::text
  WHERE EXISTS (SELECT 1 FROM deliveries WHERE id = :id::text)
  RETURNING 1
)
SELECT (SELECT count(*) FROM advanced)::integer AS advanced,
  (SELECT count(*) FROM recorded)::integer AS recorded
