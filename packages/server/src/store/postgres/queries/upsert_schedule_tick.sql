-- Claims a scheduled rule's tick: one row returned when :tick_at is later than the last one fired (this
-- caller fires it, in the same transaction), none when it, or a later one, was already fired. Two nodes
-- claiming one tick at once: the second waits on the first's row lock, then re-checks the WHERE against
-- the committed row and updates nothing.
-- Parameters: rule_arn, tick_at
INSERT INTO schedule_ticks (rule_arn, last_tick_at)
VALUES (:rule_arn, :tick_at)
ON CONFLICT (rule_arn) DO UPDATE SET last_tick_at = excluded.last_tick_at
WHERE schedule_ticks.last_tick_at < excluded.last_tick_at
RETURNING last_tick_at
