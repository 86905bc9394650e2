-- 0004_schedule_ticks: the latest tick each scheduled rule fired, so that a tick fires once however many
-- workers (or nodes sharing the database) see it come. One row per rule: the table stays as small as the
-- number of scheduled rules. Applied by migrate.ts inside one IMMEDIATE transaction; append-only.
-- Keyed by rule ARN without a foreign key: the ARN names the rule across buses, and a row left behind by a
-- deleted rule is harmless (a rule re-created under the name starts from its own creation time).
CREATE TABLE schedule_ticks (
  rule_arn TEXT NOT NULL PRIMARY KEY,
  last_tick_at INTEGER NOT NULL
) STRICT;
