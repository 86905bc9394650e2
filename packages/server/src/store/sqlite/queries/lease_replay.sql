-- Takes or renews the lease on a replay for :owner until :lease_expires_at: free, already ours, or
-- expired by :now. One row changes when :owner holds it afterwards, none when another replayer does.
-- Parameters: name, owner, now, lease_expires_at
UPDATE replays
SET lease_owner = :owner, lease_expires_at = :lease_expires_at
WHERE name = :name
  AND (lease_owner IS NULL OR lease_owner = :owner OR lease_expires_at <= :now)
