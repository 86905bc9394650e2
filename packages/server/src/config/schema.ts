/**
 * Every server setting, its default and what it is for: the single source of truth. `load.ts` merges
 * defaults < `BUSWAY_*` environment < command-line flags and validates the result against this schema;
 * docs/configuration.md is generated from it (`npm run docs:config`).
 */
export interface ResolvedConfig {
  /** TCP port; 0 picks a free one. */
  readonly port: number;
  /** Interface to listen on. Serving beyond loopback needs access keys or `insecure`. */
  readonly host: string;
  /** Folder for the embedded SQLite store (`busway.sqlite`) and the key-encryption key. */
  readonly dataDir: string;
  /** `postgres://...` switches from the embedded SQLite store to PostgreSQL (several nodes, one database). */
  readonly databaseUrl: string | undefined;
  /** PostgreSQL schema holding Busway's tables (created if absent), so installations can share a database. */
  readonly databaseSchema: string;
  /** Region used in ARNs and event envelopes (any region in a SigV4 credential scope is accepted). */
  readonly region: string;
  /** 12-digit account id used in ARNs and event envelopes. */
  readonly accountId: string;
  /** Bootstrap access key id (with `secretAccessKey`); once any key exists, requests must be signed. */
  readonly accessKeyId: string | undefined;
  readonly secretAccessKey: string | undefined;
  /** Serve a non-loopback host without access keys (anyone who can reach the port can use the bus). */
  readonly insecure: boolean;
  /** Largest PutEvents request, in bytes of entries as AWS counts them (EventBridge: 256 KiB). */
  readonly maxEventsRequestBytes: number;
  /** Largest HTTP request body accepted at all (a transport guard above the PutEvents rule). */
  readonly maxBodyBytes: number;
  /** Rules per event bus (EventBridge's default quota is 300). */
  readonly maxRulesPerBus: number;
  /** Longest event pattern in characters: EventBridge's quota, 2048 by default, adjustable to 4096. */
  readonly maxEventPatternLength: number;
  /** PutEvents entries for a bus that does not exist fail (true) instead of being dropped as AWS does. */
  readonly strictEventBus: boolean;
  /** SQLite durability: `full` survives power loss; `normal` only process crashes, and is faster. */
  readonly sqliteSynchronous: 'full' | 'normal';
  /** Delay before the first retry of a failed delivery, in ms; each further retry doubles it (with jitter). */
  readonly retryBaseDelayMs: number;
  /** Longest delay between two attempts of one delivery, in ms. */
  readonly retryMaxDelayMs: number;
  /** Deliveries attempted at the same time by this node's workers. */
  readonly deliveryConcurrency: number;
  /** How long a worker holds a claimed delivery before another may take it over, in ms. */
  readonly deliveryLeaseMs: number;
  /** On shutdown, how long in-flight deliveries may finish before they are released, in ms. */
  readonly deliveryDrainMs: number;
  /** Comma-separated CIDRs that outbound calls may reach although they are link-local or metadata. */
  readonly outboundAllowCidrs: string;
  /**
   * How long events are kept once every delivery of theirs has ended (delivered, failed or
   * dead-lettered), with their deliveries and attempts, in hours; 0 keeps them forever.
   */
  readonly retentionHours: number;
  /** With several nodes (PostgreSQL): how often a node checks for rule, target and bus changes, in ms. */
  readonly configSyncIntervalMs: number;
  /** Archived events replayed per second, all replays together (live PutEvents keep the rest of the store). */
  readonly replayRatePerSecond: number;
  /** Folder that local storage sinks write under (their Directory is relative to it); `<data-dir>/sink-output` when unset. */
  readonly sinkRoot: string | undefined;
  /** pino log level. */
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

export interface ConfigOption {
  key: keyof ResolvedConfig;
  flag: string;
  env: string;
  type: 'string' | 'integer' | 'boolean';
  default: string | number | boolean | undefined;
  description: string;
  enum?: readonly string[];
  minimum?: number;
  maximum?: number;
  pattern?: string;
}

export const CONFIG_OPTIONS: readonly ConfigOption[] = [
  {
    key: 'port',
    flag: '--port',
    env: 'BUSWAY_PORT',
    type: 'integer',
    default: 4010,
    minimum: 0,
    maximum: 65535,
    description: 'TCP port; 0 picks a free one.',
  },
  {
    key: 'host',
    flag: '--host',
    env: 'BUSWAY_HOST',
    type: 'string',
    default: '127.0.0.1',
    description: 'Interface to listen on. A non-loopback host needs access keys or --insecure.',
  },
  {
    key: 'dataDir',
    flag: '--data-dir',
    env: 'BUSWAY_DATA_DIR',
    type: 'string',
    default: './.busway',
    description: 'Folder for the embedded SQLite store and the key-encryption key.',
  },
  {
    key: 'databaseUrl',
    flag: '--database-url',
    env: 'BUSWAY_DATABASE_URL',
    type: 'string',
    default: undefined,
    pattern: '^postgres(ql)?://',
    description:
      'A postgres:// URL stores everything in PostgreSQL instead of the embedded SQLite file, so that ' +
      'several nodes can share one database (libpq parameters such as sslmode go in the URL).',
  },
  {
    key: 'databaseSchema',
    flag: '--database-schema',
    env: 'BUSWAY_DATABASE_SCHEMA',
    type: 'string',
    default: 'public',
    pattern: '^[a-z_][a-z0-9_]{0,62}$',
    description:
      'PostgreSQL schema for the tables, created if absent (lower-case letters, digits, _); with --database-url.',
  },
  {
    key: 'region',
    flag: '--region',
    env: 'BUSWAY_REGION',
    type: 'string',
    default: 'us-east-1',
    pattern: '^[a-z]{2}(-[a-z]+)+-\\d+$',
    description: 'Region used in ARNs and event envelopes; clients may sign for any region.',
  },
  {
    key: 'accountId',
    flag: '--account-id',
    env: 'BUSWAY_ACCOUNT_ID',
    type: 'string',
    default: '000000000000',
    pattern: '^\\d{12}$',
    description: '12-digit account id used in ARNs and event envelopes.',
  },
  {
    key: 'accessKeyId',
    flag: '--access-key-id',
    env: 'BUSWAY_ACCESS_KEY_ID',
    type: 'string',
    default: undefined,
    description: 'Bootstrap access key id; with it, every request must be SigV4-signed.',
  },
  {
    key: 'secretAccessKey',
    flag: '--secret-access-key',
    env: 'BUSWAY_SECRET_ACCESS_KEY',
    type: 'string',
    default: undefined,
    description: 'Secret of the bootstrap access key.',
  },
  {
    key: 'insecure',
    flag: '--insecure',
    env: 'BUSWAY_INSECURE',
    type: 'boolean',
    default: false,
    description: 'Allow a non-loopback host without access keys.',
  },
  {
    key: 'maxEventsRequestBytes',
    flag: '--max-events-request-bytes',
    env: 'BUSWAY_MAX_EVENTS_REQUEST_BYTES',
    type: 'integer',
    default: 262144,
    minimum: 1024,
    maximum: 16777216,
    description: 'Largest PutEvents request, counted as AWS counts entry sizes (EventBridge: 256 KiB).',
  },
  {
    key: 'maxBodyBytes',
    flag: '--max-body-bytes',
    env: 'BUSWAY_MAX_BODY_BYTES',
    type: 'integer',
    default: 4194304,
    minimum: 1024,
    maximum: 268435456,
    description: 'Largest HTTP request body accepted at all.',
  },
  {
    key: 'maxRulesPerBus',
    flag: '--max-rules-per-bus',
    env: 'BUSWAY_MAX_RULES_PER_BUS',
    type: 'integer',
    default: 300,
    minimum: 1,
    maximum: 1000000,
    description: "Rules per event bus (EventBridge's default quota is 300).",
  },
  {
    key: 'maxEventPatternLength',
    flag: '--max-event-pattern-length',
    env: 'BUSWAY_MAX_EVENT_PATTERN_LENGTH',
    type: 'integer',
    default: 2048,
    minimum: 1,
    maximum: 4096,
    description: "Longest event pattern in characters (EventBridge's quota: 2048, adjustable up to 4096).",
  },
  {
    key: 'strictEventBus',
    flag: '--strict-event-bus',
    env: 'BUSWAY_STRICT_EVENT_BUS',
    type: 'boolean',
    default: false,
    description: 'PutEvents entries for a missing bus fail instead of being dropped as AWS does.',
  },
  {
    key: 'sqliteSynchronous',
    flag: '--sqlite-synchronous',
    env: 'BUSWAY_SQLITE_SYNCHRONOUS',
    type: 'string',
    default: 'full',
    enum: ['full', 'normal'],
    description: 'SQLite durability: full survives power loss; normal only process crashes.',
  },
  {
    key: 'retryBaseDelayMs',
    flag: '--retry-base-delay-ms',
    env: 'BUSWAY_RETRY_BASE_DELAY_MS',
    type: 'integer',
    default: 1000,
    minimum: 1,
    maximum: 3600000,
    description: 'Delay before the first retry of a failed delivery (ms); it doubles per retry, with jitter.',
  },
  {
    key: 'retryMaxDelayMs',
    flag: '--retry-max-delay-ms',
    env: 'BUSWAY_RETRY_MAX_DELAY_MS',
    type: 'integer',
    default: 300000,
    minimum: 1,
    maximum: 86400000,
    description: 'Longest delay between two attempts of one delivery (ms).',
  },
  {
    key: 'deliveryConcurrency',
    flag: '--delivery-concurrency',
    env: 'BUSWAY_DELIVERY_CONCURRENCY',
    type: 'integer',
    default: 64,
    minimum: 1,
    maximum: 10000,
    description: 'Deliveries this node attempts at the same time.',
  },
  {
    key: 'deliveryLeaseMs',
    flag: '--delivery-lease-ms',
    env: 'BUSWAY_DELIVERY_LEASE_MS',
    type: 'integer',
    default: 30000,
    minimum: 1000,
    maximum: 3600000,
    description: 'How long a claimed delivery stays with its worker before another may take it over (ms).',
  },
  {
    key: 'retentionHours',
    flag: '--retention-hours',
    env: 'BUSWAY_RETENTION_HOURS',
    type: 'integer',
    default: 72,
    minimum: 0,
    maximum: 87600,
    description:
      'Hours an event is kept after all its deliveries ended (delivered, failed, dead-lettered), with its deliveries and attempts; 0 keeps everything.',
  },
  {
    key: 'configSyncIntervalMs',
    flag: '--config-sync-interval-ms',
    env: 'BUSWAY_CONFIG_SYNC_INTERVAL_MS',
    type: 'integer',
    default: 1000,
    minimum: 50,
    maximum: 60000,
    description:
      'PostgreSQL mode: how often a node checks for bus, rule and target changes made on other nodes (ms), besides LISTEN/NOTIFY.',
  },
  {
    key: 'deliveryDrainMs',
    flag: '--delivery-drain-ms',
    env: 'BUSWAY_DELIVERY_DRAIN_MS',
    type: 'integer',
    default: 5000,
    minimum: 0,
    maximum: 600000,
    description: 'On shutdown, how long in-flight deliveries may finish before they are released (ms).',
  },
  {
    key: 'outboundAllowCidrs',
    flag: '--outbound-allow-cidrs',
    env: 'BUSWAY_OUTBOUND_ALLOW_CIDRS',
    type: 'string',
    default: '',
    description:
      'Comma-separated CIDRs outbound calls may reach although link-local or metadata (refused by default).',
  },
  {
    key: 'replayRatePerSecond',
    flag: '--replay-rate-per-second',
    env: 'BUSWAY_REPLAY_RATE_PER_SECOND',
    type: 'integer',
    default: 1000,
    minimum: 1,
    maximum: 1000000,
    description:
      'Archived events replayed per second, all replays together, so live traffic keeps the store.',
  },
  {
    key: 'sinkRoot',
    flag: '--sink-root',
    env: 'BUSWAY_SINK_ROOT',
    type: 'string',
    default: undefined,
    description:
      'Folder local storage sinks write under (their Directory is relative to it); <data-dir>/sink-output when unset.',
  },
  {
    key: 'logLevel',
    flag: '--log-level',
    env: 'BUSWAY_LOG_LEVEL',
    type: 'string',
    default: 'info',
    enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    description: 'Log level.',
  },
];
