-- Puts an in-flight delivery back, pending until :due_at, without counting an attempt (a target over its
-- invocation rate); only while :owner holds its lease (rowCount is 0 otherwise).
-- Parameters: id, owner, due_at, now
UPDATE deliveries
SET status = 'pending', due_at = :due_at, lease_owner = NULL, lease_expires_at = NULL, updated_at = :now
WHERE id = :id AND status = 'in-flight' AND lease_owner = :owner
