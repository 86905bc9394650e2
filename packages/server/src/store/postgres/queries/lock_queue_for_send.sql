-- Serialises the sends of one FIFO queue (or of one that deduplicates) across every process sharing
-- the database, until the end of the transaction: the deduplication look-up and the insert of one send
-- cannot interleave with another's, and seq order is commit order within the queue, so a receiver never
-- sees a group's later message before an earlier one commits. A transaction-scoped advisory lock on a
-- key derived from (schema, queue) rather than a row lock on queues: it does not block receives,
-- updateQueue or the foreign-key checks of other queues' inserts. A collision of two keys only
-- serialises two queues' sends.
-- Parameters: key
SELECT pg_advisory_xact_lock(:key::bigint)
