-- Records an attempt of an existing delivery (nothing for an unknown id; changes() tells).
-- Parameters: delivery_id, attempt, started_at, duration_ms, outcome, status_code, error, response_excerpt
INSERT INTO attempts (
  delivery_id, attempt, started_at, duration_ms, outcome, status_code, error, response_excerpt
)
SELECT :delivery_id, :attempt, :started_at, :duration_ms, :outcome, :status_code, :error, :response_excerpt
WHERE EXISTS (SELECT 1 FROM deliveries WHERE id = :delivery_id)
