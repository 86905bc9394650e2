-- Leases up to :limit due deliveries to :owner until :lease_expires_at, oldest due first (ties in creation
-- order): pending ones due by :now, and in-flight ones whose lease expired by :now (their worker died or
-- stalled). One statement, so a claim is atomic against every other writer of the file.
-- Each branch takes its first :limit rows from its partial index in (due_at, seq) order, so a claim
-- reads at most 2 * :limit index entries whatever the backlog; the outer ORDER BY merges the two. The
-- in-flight branch sorts the expired leases it finds, bounded by the number of deliveries in flight.
-- INDEXED BY because, without ANALYZE statistics, the planner prefers deliveries_by_status (status=?) and
-- then sorts every pending row, so a claim would read the whole backlog (seen in EXPLAIN QUERY PLAN;
-- test/store/sqlite.test.ts checks the plan).
-- RETURNING gives rows in no defined order: the caller sorts them.
-- Parameters: owner, now, lease_expires_at, limit
UPDATE deliveries
SET status = 'in-flight', lease_owner = :owner, lease_expires_at = :lease_expires_at, updated_at = :now
WHERE seq IN (
  SELECT seq FROM (
    SELECT seq, due_at FROM (
      SELECT seq, due_at FROM deliveries INDEXED BY deliveries_pending_by_due
      WHERE status = 'pending' AND due_at <= :now
      ORDER BY due_at, seq
      LIMIT :limit
    )
    UNION ALL
    SELECT seq, due_at FROM (
      SELECT seq, due_at FROM deliveries INDEXED BY deliveries_in_flight_by_lease
      WHERE status = 'in-flight' AND lease_expires_at <= :now
      ORDER BY due_at, seq
      LIMIT :limit
    )
    ORDER BY due_at, seq
    LIMIT :limit
  )
)
RETURNING seq, id, event_id, bus_name, rule_name, rule_arn, target_id, status, attempts, due_at, created_at,
  updated_at, lease_owner, lease_expires_at, last_error
