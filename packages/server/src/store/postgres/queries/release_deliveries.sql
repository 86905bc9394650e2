-- Gives an owner's leased deliveries back, pending and due at :now (graceful shutdown).
-- Parameters: owner, now
UPDATE deliveries
SET status = 'pending', due_at = :now, lease_owner = NULL, lease_expires_at = NULL, updated_at = :now
WHERE status = 'in-flight' AND lease_owner = :owner
