-- Deletes one message by seq (the caller checked its receipt token in the same transaction).
-- Parameters: seq
DELETE FROM queue_messages
WHERE seq = :seq
