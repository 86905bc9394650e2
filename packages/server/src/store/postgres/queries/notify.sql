-- Sends a notification on a channel (LISTEN/NOTIFY); inside a transaction it is delivered at COMMIT,
-- and not at all on ROLLBACK.
-- Parameters: channel, payload
SELECT pg_notify(:channel::text, :payload::text)
