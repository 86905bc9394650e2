-- 0009_replay_leases: which replayer runs a replay, and until when. With several nodes over one database
-- every node's replayer sees every active replay; the one holding the lease runs it, and another takes
-- it over when the lease expires (its node died). Applied by migrate.ts inside one IMMEDIATE transaction.
ALTER TABLE replays ADD COLUMN lease_owner TEXT;
ALTER TABLE replays ADD COLUMN lease_expires_at INTEGER;
