-- Archives events (in the statement of the append that stores them: see append_events.sql), one row per
-- (event, archive); element i of each array is row i.
-- Parameters: archive_names, event_ids, event_times, sizes
INSERT INTO archive_events (archive_name, event_id, event_time, size_bytes)
SELECT * FROM unnest(:archive_names::text[], :event_ids::text[], :event_times::bigint[], :sizes::integer[])
