-- A page of replays in name order, by prefix ('' for all), state (NULL for any) and archive ARN (NULL for
-- any); :after '' on the first page, :limit one more than the page size.
-- Parameters: prefix, state, event_source_arn, after, limit
SELECT name, arn, description, archive_name, event_source_arn, destination_arn, filter_arns, event_start_time,
  event_end_time, state, state_reason, replay_start_time, replay_end_time, event_last_replayed_time, cursor_time,
  cursor_seq, events_replayed, events_total
FROM replays
WHERE name > :after AND name >= :prefix AND left(name, length(:prefix)) = :prefix
  AND (:state::text IS NULL OR state = :state)
  AND (:event_source_arn::text IS NULL OR event_source_arn = :event_source_arn)
ORDER BY name
LIMIT :limit
