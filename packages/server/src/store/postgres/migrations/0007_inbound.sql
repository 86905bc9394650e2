-- 0007_inbound: inbound endpoints (server/inbound/): webhooks (`/webhooks/{id}`) and client-event
-- ingestion endpoints (`/ingest/{name}`). The PostgreSQL twin of sqlite/migrations/0006_inbound.sql
-- (numbered one higher: 0006_cluster has no SQLite twin); applied as 0001 is. Append-only.
-- definition is the endpoint's JSON definition without secrets, kept as text (returned byte for byte);
-- secret_ciphertext holds its secrets encrypted under the master key, NULL when it has none.
CREATE TABLE inbound_endpoints (
  kind text NOT NULL CHECK (kind IN ('webhook', 'ingest')),
  id text COLLATE "C" NOT NULL,
  definition text NOT NULL,
  secret_ciphertext text,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  PRIMARY KEY (kind, id)
);
