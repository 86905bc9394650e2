-- Takes the next free slot of :key (slots :interval_ms apart, as GCRA) unless it is more than
-- :max_wait_ms away; times are the database's clock (clock_timestamp, epoch ms), one schedule for every
-- node whatever their clocks say. The row is read FOR UPDATE: concurrent reservations of a key queue on
-- its lock, and each reads the slot the previous one left (READ COMMITTED returns the latest version of
-- a row it waited for). The row must exist (insert_rate_slot.sql). wait_ms: until the slot taken, or,
-- when taken is false, until the next free slot (left as it is, for a caller that comes back then).
-- Committed without waiting for the WAL flush (synchronous_commit off for this transaction only): a slot
-- lost in a database crash only lets one call through early, and each call would otherwise wait for a
-- disk sync of its own.
-- Parameters: key, interval_ms, max_wait_ms
WITH relaxed AS (
  SELECT set_config('synchronous_commit', 'off', true)
), clock AS (
  SELECT extract(epoch FROM clock_timestamp())::double precision * 1000 AS now
), current AS (
  SELECT greatest(r.next_slot_at, clock.now) AS slot, clock.now
  FROM rate_slots AS r, clock
  WHERE r.key = :key
  FOR UPDATE OF r
), taken AS (
  UPDATE rate_slots AS r
  SET next_slot_at = current.slot + :interval_ms::double precision
  FROM current
  WHERE r.key = :key AND current.slot - current.now <= :max_wait_ms::double precision
  RETURNING 1
)
SELECT current.slot - current.now AS wait_ms, EXISTS (SELECT 1 FROM taken) AS taken
FROM current, relaxed
