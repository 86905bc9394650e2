-- 0004_schedule_ticks: the latest tick each scheduled rule fired, so that a tick fires once however many
-- workers or nodes see it come (upsert_schedule_tick.sql claims it under the row's lock). The PostgreSQL
-- twin of sqlite/migrations/0004_schedule_ticks.sql; applied as 0001 is. Append-only.
-- Keyed by rule ARN without a foreign key: a row left behind by a deleted rule is harmless.
CREATE TABLE schedule_ticks (
  rule_arn text COLLATE "C" NOT NULL PRIMARY KEY,
  last_tick_at bigint NOT NULL
);
