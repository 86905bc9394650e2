-- 0005_delivery_filters: deliveries of one rule (ListDeliveries, `busway deliveries --rule`), in
-- creation order: equality on (bus_name, rule_name), then the rowid (seq) orders them, so a page seeks
-- straight to `seq > :after`. Target ids are filtered on the rows this index finds rather than indexed:
-- a rule has at most 5 targets, so the filter reads at most 5 rows per row returned, and one index
-- fewer keeps PutEvents' insert path (one delivery row per matched target) cheaper. A bus-only filter
-- has no index of its own for the same reason; it scans in seq order and stops at a full page.
-- The claim indexes of 0001 are untouched.
CREATE INDEX deliveries_by_rule ON deliveries (bus_name, rule_name);
