-- 0005_inbound: inbound endpoints (server/inbound/): webhooks (`/webhooks/{id}`) and client-event
-- ingestion endpoints (`/ingest/{name}`). Applied by migrate.ts inside one IMMEDIATE transaction with its
-- ledger row; append-only.

-- definition is the endpoint's JSON definition without secrets; the inbound domain owns its shape and
-- the store reads none of it. secret_ciphertext holds the endpoint's secrets (Basic password, API keys,
-- HMAC secrets) encrypted under the master key, NULL when it has none.
CREATE TABLE inbound_endpoints (
  kind TEXT NOT NULL CHECK (kind IN ('webhook', 'ingest')),
  id TEXT NOT NULL,
  definition TEXT NOT NULL,
  secret_ciphertext TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (kind, id)
) STRICT, WITHOUT ROWID;
