-- The approximate counts of a queue at :now: visible, in flight (received and invisible), delayed (never
-- received and invisible). One pass over the queue's range of queue_messages_by_visibility.
-- Parameters: queue_name, now
SELECT count(*) FILTER (WHERE visible_at <= :now)::integer AS visible,
  count(*) FILTER (WHERE visible_at > :now AND receive_count > 0)::integer AS in_flight,
  count(*) FILTER (WHERE visible_at > :now AND receive_count = 0)::integer AS delayed
FROM queue_messages
WHERE queue_name = :queue_name
