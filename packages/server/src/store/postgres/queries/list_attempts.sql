-- A delivery's attempts in attempt order, then as recorded (a lost lease can repeat a number).
-- Parameters: delivery_id
SELECT delivery_id, attempt, started_at, duration_ms, outcome, status_code, error, response_excerpt
FROM attempts
WHERE delivery_id = :delivery_id
ORDER BY attempt, seq
