-- Leases up to :limit due deliveries to :owner until :lease_expires_at, oldest due first (ties in creation
-- order): pending ones due by :now, and in-flight ones whose lease expired by :now (their worker died or
-- stalled). One statement in its own transaction.
-- Several nodes claim at once: FOR UPDATE SKIP LOCKED makes each claimer pass over the rows another is
-- taking instead of queueing behind its locks, so N workers take N disjoint sets without waiting. A row
-- another claimer committed in between is re-checked (READ COMMITTED re-evaluates the WHERE on the new
-- version) and dropped, since it is no longer pending or no longer expired.
-- Each branch takes its first :limit rows from its partial index (deliveries_pending_by_due in
-- (due_at, seq) order; the expired leases are few, bounded by the deliveries in flight); the final
-- selection keeps the :limit earliest of both. Up to :limit rows of the 2 * :limit locked are not
-- updated: they are unlocked at the end of this statement's transaction, a few milliseconds later.
-- RETURNING gives rows in no defined order: the caller sorts them.
-- Parameters: owner, now, lease_expires_at, limit
WITH pending AS (
  SELECT seq, due_at FROM deliveries
  WHERE status = 'pending' AND due_at <= :now
  ORDER BY due_at, seq
  LIMIT :limit
  FOR UPDATE SKIP LOCKED
), expired AS (
  SELECT seq, due_at FROM deliveries
  WHERE status = 'in-flight' AND lease_expires_at <= :now
  ORDER BY due_at, seq
  LIMIT :limit
  FOR UPDATE SKIP LOCKED
), picked AS (
  SELECT seq FROM (SELECT seq, due_at FROM pending UNION ALL SELECT seq, due_at FROM expired) AS due
  ORDER BY due_at, seq
  LIMIT :limit
)
UPDATE deliveries AS d
SET status = 'in-flight', lease_owner = :owner, lease_expires_at = :lease_expires_at, updated_at = :now
FROM picked
WHERE d.seq = picked.seq
RETURNING d.seq, d.id, d.event_id, d.bus_name, d.rule_name, d.rule_arn, d.target_id, d.status, d.attempts,
  d.due_at, d.created_at, d.updated_at, d.lease_owner, d.lease_expires_at, d.last_error
