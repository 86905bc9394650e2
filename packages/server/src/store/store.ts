/**
 * The storage interface: every backend (SQLite now, PostgreSQL next) implements these operations in
 * domain terms. Nothing here names a connection, a transaction or a SQL type; a backend that can do more
 * (LISTEN/NOTIFY) exposes it as an optional member. The contract suite in ./contract runs against any
 * implementation.
 *
 * Conventions: times are epoch milliseconds (numbers); names are the AWS resource names; records are
 * plain objects in camelCase; expected outcomes (`exists`, `not-found`, `lease-lost`) are returned as
 * values, never thrown. Every method is async so that a networked backend fits the same shape.
 *
 * Decided by the contract suite (every backend must agree):
 * - callers check that a rule's bus and a target's rule exist; writing under a missing parent throws;
 * - updates keep `arn`, `createdBy` and `createdAt`; deleteRule also deletes its targets and tags;
 * - deleteBus keeps the bus's events and deliveries (workers must cope with a vanished rule/target);
 * - putTargets' busName/ruleName arguments win over those fields of the records;
 * - recordAttempt accepts a result from an expired lease nobody took over (refusing it would only
 *   deliver again); an unknown delivery id is `lease-lost`; `attempts` counts lease holders' attempts;
 * - a nextToken no list returned throws InvalidNextTokenError; a limit below 1 throws RangeError.
 */

export interface EventBusRecord {
  name: string;
  arn: string;
  description?: string;
  kmsKeyIdentifier?: string;
  /** Dead-letter queue for events the bus itself cannot process: `{ arn }`. */
  deadLetterConfig?: { arn?: string };
  logConfig?: { includeDetail?: string; level?: string };
  /** Resource policy document (JSON text) built by PutPermission. */
  policy?: string;
  createdAt: number;
  updatedAt: number;
}

export type RuleState = 'ENABLED' | 'DISABLED' | 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';

export interface RuleRecord {
  busName: string;
  name: string;
  arn: string;
  eventPattern?: string;
  scheduleExpression?: string;
  state: RuleState;
  description?: string;
  roleArn?: string;
  managedBy?: string;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
}

/** A rule target as PutTargets gave it, in domain (camelCase) shape. */
export interface TargetRecord {
  busName: string;
  ruleName: string;
  id: string;
  arn: string;
  roleArn?: string;
  input?: string;
  inputPath?: string;
  inputTransformer?: { inputPathsMap?: Record<string, string>; inputTemplate: string };
  retryPolicy?: { maximumRetryAttempts?: number; maximumEventAgeInSeconds?: number };
  deadLetterConfig?: { arn?: string };
  /** Every other target parameter (HttpParameters, SqsParameters, ...), kept as given on the wire. */
  parameters?: Record<string, unknown>;
}

export interface TagRecord {
  key: string;
  value: string;
}

export interface AccessKeyRecord {
  accessKeyId: string;
  /** The secret, encrypted at rest by the caller (the store never sees it in clear). */
  secretCiphertext: string;
  description?: string;
  createdAt: number;
}

/** An accepted event: the envelope exactly as rules and targets see it. */
export interface EventRecord {
  id: string;
  busName: string;
  /** The envelope as JSON text (`version, id, detail-type, source, account, time, region, resources, detail`). */
  envelope: string;
  /** When the bus accepted it (epoch ms). */
  ingestedAt: number;
}

export type DeliveryStatus = 'pending' | 'in-flight' | 'delivered' | 'failed' | 'dead-lettered';

/** One (event, rule, target) to deliver: written with its event, claimed and advanced by workers. */
export interface DeliveryRecord {
  id: string;
  eventId: string;
  busName: string;
  ruleName: string;
  ruleArn: string;
  targetId: string;
  status: DeliveryStatus;
  /** Attempts made so far. */
  attempts: number;
  /** When the next attempt is due (epoch ms). */
  dueAt: number;
  createdAt: number;
  updatedAt: number;
  /** Worker holding the lease while in flight, and until when. */
  leaseOwner?: string;
  leaseExpiresAt?: number;
  lastError?: string;
}

/** A new delivery, written by appendEvents. */
export interface NewDelivery {
  id: string;
  ruleName: string;
  ruleArn: string;
  targetId: string;
}

export interface AttemptRecord {
  deliveryId: string;
  /** 1 for the first attempt. */
  attempt: number;
  startedAt: number;
  durationMs: number;
  /** `success`, or why it failed. */
  outcome: 'success' | 'retryable-failure' | 'permanent-failure';
  statusCode?: number;
  error?: string;
  /** First bytes of the target's response body. */
  responseExcerpt?: string;
}

/** A page of results and the opaque token for the next one. */
export interface Page<T> {
  items: T[];
  nextToken?: string;
}

export interface PageRequest {
  /** Opaque token from a previous page. */
  nextToken?: string;
  limit: number;
}

export interface Store {
  // --- buses --------------------------------------------------------------------------------------
  /** Creates a bus; `exists` when the name is taken. */
  createBus(bus: EventBusRecord, tags?: readonly TagRecord[]): Promise<'created' | 'exists'>;
  getBus(name: string): Promise<EventBusRecord | undefined>;
  listBuses(namePrefix: string | undefined, page: PageRequest): Promise<Page<EventBusRecord>>;
  /** Replaces a bus's mutable fields; `not-found` when it does not exist. */
  updateBus(bus: EventBusRecord): Promise<'updated' | 'not-found'>;
  /** Deletes a bus with its rules, targets and tags; `not-found` when it does not exist. */
  deleteBus(name: string): Promise<'deleted' | 'not-found'>;

  // --- rules and targets ----------------------------------------------------------------------------
  /** Inserts or replaces a rule (PutRule is an upsert); tags are applied only when the rule is new. */
  putRule(rule: RuleRecord, tags?: readonly TagRecord[]): Promise<'created' | 'updated'>;
  getRule(busName: string, name: string): Promise<RuleRecord | undefined>;
  listRules(busName: string, namePrefix: string | undefined, page: PageRequest): Promise<Page<RuleRecord>>;
  /** Every rule of every bus (to build matchers at start-up). */
  listAllRules(): Promise<RuleRecord[]>;
  countRules(busName: string): Promise<number>;
  deleteRule(busName: string, name: string): Promise<'deleted' | 'not-found'>;
  /** Inserts or replaces targets by id. */
  putTargets(busName: string, ruleName: string, targets: readonly TargetRecord[]): Promise<void>;
  /** Removes targets by id; returns the ids that existed. */
  removeTargets(busName: string, ruleName: string, ids: readonly string[]): Promise<string[]>;
  listTargets(busName: string, ruleName: string, page: PageRequest): Promise<Page<TargetRecord>>;
  /** All targets of a rule, for ingest. */
  getTargets(busName: string, ruleName: string): Promise<TargetRecord[]>;
  /** Names of the rules on a bus with a target of this ARN. */
  listRuleNamesByTarget(busName: string, targetArn: string, page: PageRequest): Promise<Page<string>>;

  // --- tags -----------------------------------------------------------------------------------------
  getTags(resourceArn: string): Promise<TagRecord[]>;
  /** Adds or overwrites tags. */
  tagResource(resourceArn: string, tags: readonly TagRecord[]): Promise<void>;
  untagResource(resourceArn: string, keys: readonly string[]): Promise<void>;

  // --- access keys ----------------------------------------------------------------------------------
  createAccessKey(key: AccessKeyRecord): Promise<'created' | 'exists'>;
  getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined>;
  listAccessKeys(): Promise<AccessKeyRecord[]>;
  deleteAccessKey(accessKeyId: string): Promise<'deleted' | 'not-found'>;

  // --- events and deliveries --------------------------------------------------------------------------
  /**
   * Stores events and their deliveries atomically: when this resolves, all of them are durable; when it
   * rejects, none is. Deliveries are created `pending`, due at `now`.
   */
  appendEvents(
    batch: ReadonlyArray<{ event: EventRecord; deliveries: readonly NewDelivery[] }>,
    now: number,
  ): Promise<void>;
  getEvent(id: string): Promise<EventRecord | undefined>;
  /**
   * Leases up to `limit` deliveries due at `now` (pending, or in flight with an expired lease) to
   * `owner` until `now + leaseMs`; each goes `in-flight` with `attempts` unchanged.
   */
  claimDueDeliveries(owner: string, now: number, leaseMs: number, limit: number): Promise<DeliveryRecord[]>;
  getDelivery(id: string): Promise<DeliveryRecord | undefined>;
  listDeliveries(
    filter: { eventId?: string; status?: DeliveryStatus },
    page: PageRequest,
  ): Promise<Page<DeliveryRecord>>;
  /**
   * Records an attempt and moves the delivery on, if `owner` still holds its lease: `delivered`,
   * `failed`/`dead-lettered` (final), or back to `pending` due at `retryAt`. `lease-lost` otherwise
   * (another worker took it over; the attempt is still recorded).
   */
  recordAttempt(
    owner: string,
    attempt: AttemptRecord,
    next:
      | { status: 'delivered' }
      | { status: 'pending'; retryAt: number; error: string }
      | { status: 'failed' | 'dead-lettered'; error: string },
    now: number,
  ): Promise<'recorded' | 'lease-lost'>;
  /** Gives leased deliveries back (graceful shutdown): pending again, due now. */
  releaseDeliveries(owner: string, now: number): Promise<number>;
  listAttempts(deliveryId: string): Promise<AttemptRecord[]>;

  close(): Promise<void>;
}
