-- 0005_delivery_filters: deliveries of one rule (ListDeliveries, `busway deliveries --rule`), in
-- creation order: equality on (bus_name, rule_name), then seq. The PostgreSQL twin of
-- sqlite/migrations/0005_delivery_filters.sql (whose rowid ordering is seq here, hence the column);
-- applied as 0001 is. Append-only. Target ids are filtered, not indexed: a rule has at most 5 targets.
CREATE INDEX deliveries_by_rule ON deliveries (bus_name, rule_name, seq);
