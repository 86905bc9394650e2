-- The approximate counts of a queue at :now: visible, in flight (received and invisible), delayed (never
-- received and invisible). One pass over the queue's range of queue_messages_by_visibility.
-- Parameters: queue_name, now
SELECT coalesce(sum(visible_at <= :now), 0) AS visible,
  coalesce(sum(visible_at > :now AND receive_count > 0), 0) AS in_flight,
  coalesce(sum(visible_at > :now AND receive_count = 0), 0) AS delayed
FROM queue_messages
WHERE queue_name = :queue_name
