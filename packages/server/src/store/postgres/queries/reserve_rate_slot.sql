-- Takes the next free slot of :key (slots :interval_ms apart, as GCRA) unless it is more than
-- :max_wait_ms away; times are the database's clock (clock_timestamp, epoch ms), one schedule for every
-- node whatever their clocks say. Concurrent reservations of a key queue on its row lock, and each
-- re-evaluates the update against the slot the previous one left (READ COMMITTED). The row must exist
-- (insert_rate_slot.sql). wait_ms: until the slot taken, NULL when none was taken; next_wait_ms: until the
-- next free slot as it stood (for a caller that comes back later).
-- Parameters: key, interval_ms, max_wait_ms
WITH clock AS (
  SELECT extract(epoch FROM clock_timestamp())::double precision * 1000 AS now
), taken AS (
  UPDATE rate_slots AS r
  SET next_slot_at = greatest(r.next_slot_at, clock.now) + :interval_ms::double precision
  FROM clock
  WHERE r.key = :key
    AND greatest(r.next_slot_at, clock.now) - clock.now <= :max_wait_ms::double precision
  RETURNING r.next_slot_at - :interval_ms::double precision - clock.now AS wait_ms
)
SELECT (SELECT wait_ms FROM taken) AS wait_ms,
  (SELECT greatest(r.next_slot_at, clock.now) - clock.now FROM rate_slots AS r, clock WHERE r.key = :key)
    AS next_wait_ms
