-- Serialises the receives of one FIFO queue until the end of the transaction (a key of its own, so
-- sends are not blocked). Why not SKIP LOCKED on the group heads: a receiver that skips a locked head
-- still sees, in its snapshot, that head as visible, so the NOT EXISTS of
-- list_receivable_fifo_queue_messages lets it take the next message of that group while the first is
-- being received: two consumers would hold one group at once. Under this lock each receive starts
-- after the previous one committed and, in READ COMMITTED, its statements see that commit. A FIFO
-- receive takes milliseconds; a queue's throughput is then bounded by one receive at a time, as SQS
-- bounds a FIFO queue's, and standard queues are not serialised.
-- Parameters: key
SELECT pg_advisory_xact_lock(:key::bigint)
