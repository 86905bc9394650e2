-- 0003_connections: connections (how to authenticate to an HTTP API) and API destinations (an HTTP
-- endpoint called through a connection). Applied by migrate.ts inside one IMMEDIATE transaction with its
-- ledger row; append-only.
-- auth_parameters is a JSON object of the connection's auth parameters without any secret (what
-- DescribeConnection shows). sealed_secret holds the secrets (password, API key value, client secret,
-- parameter values) as one blob sealed by the server's master key (auth/access-keys.ts sealSecret): the
-- store never sees them in clear. NULL once DeauthorizeConnection has wiped them.
CREATE TABLE connections (
  name TEXT NOT NULL PRIMARY KEY,
  arn TEXT NOT NULL UNIQUE,
  description TEXT,
  authorization_type TEXT NOT NULL
    CHECK (authorization_type IN ('BASIC', 'API_KEY', 'OAUTH_CLIENT_CREDENTIALS')),
  state TEXT NOT NULL,
  state_reason TEXT,
  secret_arn TEXT NOT NULL,
  kms_key_identifier TEXT,
  auth_parameters TEXT NOT NULL,
  sealed_secret TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  last_authorized_at INTEGER
) STRICT;

-- An API destination names its connection by ARN, as the API does; a connection with destinations is
-- not deleted (the store refuses, the service answers ValidationException), hence no cascade.
CREATE TABLE api_destinations (
  name TEXT NOT NULL PRIMARY KEY,
  arn TEXT NOT NULL UNIQUE,
  description TEXT,
  connection_arn TEXT NOT NULL REFERENCES connections (arn),
  invocation_endpoint TEXT NOT NULL,
  http_method TEXT NOT NULL,
  invocation_rate_limit_per_second INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

CREATE INDEX api_destinations_by_connection ON api_destinations (connection_arn, name);
