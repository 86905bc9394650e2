-- Appends a call's events and their deliveries (pending, due at :now) in one statement, hence one
-- transaction and one round trip however large the batch: one array per column, element i of each
-- being row i (unnest), instead of a VALUES list whose text would differ with every batch size. A
-- duplicate event or delivery id fails the whole call. The foreign key of deliveries is checked at the
-- end of the statement, when the events inserted beside them are visible.
-- When deliveries were written it notifies :channel with their count; PostgreSQL delivers a
-- notification at commit, so a listener never hears of deliveries it cannot read yet.
-- Parameters: event_ids, event_bus_names, envelopes, ingested_ats, delivery_ids, delivery_event_ids,
-- delivery_bus_names, rule_names, rule_arns, target_ids, now, channel
WITH inserted_events AS (
  INSERT INTO events (id, bus_name, envelope, ingested_at)
  SELECT * FROM unnest(:event_ids::text[], :event_bus_names::text[], :envelopes::text[],
    :ingested_ats::bigint[])
  RETURNING 1
), inserted_deliveries AS (
  INSERT INTO deliveries (
    id, event_id, bus_name, rule_name, rule_arn, target_id, status, attempts, due_at, created_at, updated_at
  )
  SELECT d.id, d.event_id, d.bus_name, d.rule_name, d.rule_arn, d.target_id, 'pending', 0, :now::bigint,
    :now::bigint, :now::bigint
  FROM unnest(:delivery_ids::text[], :delivery_event_ids::text[], :delivery_bus_names::text[],
    :rule_names::text[], :rule_arns::text[], :target_ids::text[])
    AS d (id, event_id, bus_name, rule_name, rule_arn, target_id)
  RETURNING 1
)
SELECT (SELECT count(*) FROM inserted_events)::integer AS events,
  (SELECT count(*) FROM inserted_deliveries)::integer AS deliveries,
  CASE WHEN cardinality(:delivery_ids::text[]) > 0
    THEN pg_notify(:channel::text, cardinality(:delivery_ids::text[])::text)
  END AS notified
