-- Creates the rate slot row of :key, free now, unless it exists (reserve_rate_slot.sql updates it).
-- Parameters: key
INSERT INTO rate_slots (key, next_slot_at)
VALUES (:key, 0)
ON CONFLICT (key) DO NOTHING
