-- 0003_connections: connections (how to authenticate to an HTTP API) and API destinations (an HTTP
-- endpoint called through a connection). The PostgreSQL twin of sqlite/migrations/0003_connections.sql;
-- applied as 0001 is. Append-only.
-- auth_parameters is a JSON object of the connection's auth parameters without any secret (what
-- DescribeConnection shows). sealed_secret holds the secrets as one blob sealed by the server's master
-- key (auth/access-keys.ts sealSecret): the store never sees them in clear. NULL once
-- DeauthorizeConnection has wiped them.
CREATE TABLE connections (
  name text COLLATE "C" NOT NULL PRIMARY KEY,
  arn text COLLATE "C" NOT NULL UNIQUE,
  description text,
  authorization_type text NOT NULL
    CHECK (authorization_type IN ('BASIC', 'API_KEY', 'OAUTH_CLIENT_CREDENTIALS')),
  state text NOT NULL,
  state_reason text,
  secret_arn text NOT NULL,
  kms_key_identifier text,
  auth_parameters jsonb NOT NULL,
  sealed_secret text,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  last_authorized_at bigint
);

-- An API destination names its connection by ARN, as the API does; a connection with destinations is
-- not deleted (the store refuses, the service answers ValidationException), hence no cascade.
CREATE TABLE api_destinations (
  name text COLLATE "C" NOT NULL PRIMARY KEY,
  arn text COLLATE "C" NOT NULL UNIQUE,
  description text,
  connection_arn text COLLATE "C" NOT NULL REFERENCES connections (arn),
  invocation_endpoint text NOT NULL,
  http_method text NOT NULL,
  invocation_rate_limit_per_second integer NOT NULL,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL
);

CREATE INDEX api_destinations_by_connection ON api_destinations (connection_arn, name);
