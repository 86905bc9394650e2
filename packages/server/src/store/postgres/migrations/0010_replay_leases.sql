-- 0010_replay_leases (twin of SQLite's 0009): which replayer runs a replay, and until when. With several
-- nodes every node's replayer sees every active replay; the one holding the lease runs it, and another
-- takes it over when the lease expires (its node died).
ALTER TABLE replays ADD COLUMN lease_owner text;
ALTER TABLE replays ADD COLUMN lease_expires_at bigint;
