-- Claims a scheduled rule's tick: changes() is 1 when :tick_at is later than the last one fired (this
-- caller fires it), 0 when it, or a later one, was already fired.
-- Parameters: rule_arn, tick_at
INSERT INTO schedule_ticks (rule_arn, last_tick_at)
VALUES (:rule_arn, :tick_at)
ON CONFLICT (rule_arn) DO UPDATE SET last_tick_at = excluded.last_tick_at
WHERE schedule_ticks.last_tick_at < excluded.last_tick_at
