-- Archives an event (written in the event's own transaction by appendEvents).
-- Parameters: archive_name, event_id, event_time, size_bytes
INSERT INTO archive_events (archive_name, event_id, event_time, size_bytes)
VALUES (:archive_name, :event_id, :event_time, :size_bytes)
