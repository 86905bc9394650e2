-- Moves a replay to :state when it is in one of the states of :from_states (a text array).
-- Parameters: name, state, state_reason, replay_end_time, from_states
UPDATE replays
SET state = :state, state_reason = :state_reason,
  replay_end_time = coalesce(:replay_end_time::bigint, replay_end_time)
WHERE name = :name AND state = ANY (:from_states::text[])
