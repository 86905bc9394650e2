-- The owners holding leases on in-flight deliveries, each once (a starting engine looks for leases left
-- by a process of its host that died). Bounded by the deliveries in flight.
-- Parameters: none
SELECT DISTINCT lease_owner
FROM deliveries
WHERE status = 'in-flight' AND lease_owner IS NOT NULL
ORDER BY lease_owner
