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
 * - a nextToken no list returned throws InvalidNextTokenError; a limit below 1 throws RangeError;
 * - queue messages: sending to a missing queue throws; receipt tokens are random, unguessable and new at
 *   every receive; FIFO deduplication is decided inside the store's transaction, so that it holds across
 *   several server processes sharing one database.
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

/** The two kinds of inbound endpoint: `/webhooks/{id}` and `/ingest/{name}`. */
export type InboundEndpointKind = 'webhook' | 'ingest';

/** An inbound endpoint (server/inbound/): the store keeps its definition as given and reads none of it. */
export interface InboundEndpointRecord {
  kind: InboundEndpointKind;
  /** The webhook id or the ingestion endpoint's name; unique per kind. */
  id: string;
  /** The definition as JSON text, without secrets (the inbound domain owns its shape). */
  definition: string;
  /** The endpoint's secrets, encrypted by the caller (Keyring.sealSecret); the store never sees them in clear. */
  secretCiphertext?: string;
  createdAt: number;
  updatedAt: number;
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

/**
 * Which deliveries listDeliveries returns: those matching every field given (absent fields match any).
 * `ruleName` and `targetId` are names within a bus: without `busName` they match rules (targets) of
 * that name on every bus.
 */
export interface DeliveryFilter {
  eventId?: string;
  status?: DeliveryStatus;
  busName?: string;
  ruleName?: string;
  targetId?: string;
}

/**
 * One event for appendEvents, with its deliveries and, optionally, the archives it goes into (one
 * archived-event row each, in the same transaction; `eventTime` defaults to `ingestedAt`).
 */
export interface AppendItem {
  event: EventRecord;
  deliveries: readonly NewDelivery[];
  archives?: readonly string[];
  /** The envelope's `time` (epoch ms): what replay windows and retention compare. */
  eventTime?: number;
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

// --- archives, replays, sinks -----------------------------------------------------------------------

export type ArchiveState = 'ENABLED' | 'DISABLED';

export interface ArchiveRecord {
  name: string;
  arn: string;
  busName: string;
  /** The bus ARN as CreateArchive gave it. */
  eventSourceArn: string;
  description?: string;
  eventPattern?: string;
  /** 0 keeps events forever. */
  retentionDays: number;
  state: ArchiveState;
  createdAt: number;
  updatedAt: number;
}

export interface ArchiveFilter {
  namePrefix?: string;
  busName?: string;
  state?: ArchiveState;
}

export interface ArchiveStats {
  eventCount: number;
  sizeBytes: number;
}

/** Event times (epoch ms), both ends included. */
export interface EventTimeWindow {
  from: number;
  to: number;
}

/** Where a replay stands in its archive: the last archived event replayed. */
export interface ArchiveCursor {
  eventTime: number;
  seq: number;
}

export interface ArchivedEvent {
  /** Order of archiving, across the store. */
  seq: number;
  eventTime: number;
  event: EventRecord;
}

export type ReplayState = 'STARTING' | 'RUNNING' | 'CANCELLING' | 'COMPLETED' | 'CANCELLED' | 'FAILED';

export interface NewReplay {
  name: string;
  arn: string;
  description?: string;
  archiveName: string;
  /** The archive ARN as StartReplay gave it. */
  eventSourceArn: string;
  destinationArn: string;
  /** Rule ARNs the replayed events may reach; all rules of the bus when absent. */
  filterArns?: string[];
  eventStartTime: number;
  eventEndTime: number;
  replayStartTime: number;
  /** Archived events in the window when the replay started (for progress). */
  eventsTotal?: number;
}

export interface ReplayProgress {
  cursor: ArchiveCursor;
  eventLastReplayedTime: number;
  eventsReplayed: number;
}

export interface ReplayRecord extends NewReplay {
  state: ReplayState;
  stateReason?: string;
  replayEndTime?: number;
  eventLastReplayedTime?: number;
  cursor?: ArchiveCursor;
  eventsReplayed: number;
}

export interface ReplayFilter {
  namePrefix?: string;
  state?: ReplayState;
  eventSourceArn?: string;
}

/** A storage sink: its settings are the sink target's (kept as given, read by nothing else). */
export interface SinkRecord {
  name: string;
  arn: string;
  settings: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
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

// --- queues -----------------------------------------------------------------------------------------

/** A queue of the SQS-compatible queue service. */
export interface QueueRecord {
  name: string;
  arn: string;
  fifo: boolean;
  /**
   * The settable SQS attributes by their AWS names, as strings (`VisibilityTimeout: '30'`), defaults
   * filled in by the queue service; the store keeps them as given and reads none of them.
   */
  attributes: Record<string, string>;
  createdAt: number;
  updatedAt: number;
}

/** A message attribute (user or system) as SendMessage gave it. */
export interface QueueMessageAttribute {
  dataType: string;
  stringValue?: string;
  /** Base64 text. */
  binaryValue?: string;
}

/** A message to store, written by sendQueueMessages. */
export interface NewQueueMessage {
  /** Unique within the queue (the service uses UUIDs). */
  id: string;
  body: string;
  messageAttributes?: Record<string, QueueMessageAttribute>;
  /** `AWSTraceHeader`. */
  systemAttributes?: Record<string, QueueMessageAttribute>;
  groupId?: string;
  deduplicationId?: string;
  /** When it first becomes visible (epoch ms): the send time plus its delay. */
  visibleAt: number;
}

/** A stored message and where it stands. */
export interface QueueMessageRecord {
  queueName: string;
  id: string;
  /**
   * Order of acceptance: grows across the whole store and is never reused, not even after the newest
   * message is deleted (FIFO sequence numbers; a message moved to another queue gets a new one).
   */
  seq: number;
  body: string;
  messageAttributes?: Record<string, QueueMessageAttribute>;
  systemAttributes?: Record<string, QueueMessageAttribute>;
  groupId?: string;
  deduplicationId?: string;
  sentAt: number;
  /** What retention counts from: `sentAt`, restarted when the message was moved into a FIFO queue. */
  enqueuedAt: number;
  /** When it can next be received: the end of its delay or of its latest visibility timeout. */
  visibleAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
  lastReceivedAt?: number;
  /** The secret of the latest receive: a receipt handle is current while it carries this token. */
  receiptToken?: string;
  /** ARN of the queue that dead-lettered it (redrive on receive). */
  deadLetterSourceArn?: string;
}

export interface SendQueueMessagesOptions {
  now: number;
  /**
   * FIFO deduplication: a message whose deduplicationId was accepted less than `windowMs` before `now`
   * (in the whole queue, or in its message group) is not stored again; it answers the first message's
   * id and seq with `duplicate: true`. The window runs from the first send and is not extended by
   * duplicates, nor ended by receiving or deleting the first message.
   */
  deduplication?: { windowMs: number; scope: 'queue' | 'message-group' };
}

/** What sendQueueMessages answers for each message, in order. */
export interface SentQueueMessage {
  id: string;
  seq: number;
  duplicate: boolean;
}

export interface ReceiveQueueMessagesRequest {
  now: number;
  /** At most this many messages (1 or more). */
  limit: number;
  /** The received messages stay invisible until then (epoch ms). */
  visibleUntil: number;
  /**
   * Retention: messages enqueued at or before this are deleted first, in the same transaction, so
   * that an expired message is never returned.
   */
  expiredBefore?: number;
  /**
   * Redrive: a candidate already received `maxReceiveCount` times moves to this queue (visible at once,
   * receive count reset, `deadLetterSourceArn` set) instead of being returned. Ignored when that queue
   * no longer exists.
   */
  deadLetter?: { queueName: string; maxReceiveCount: number };
}

export interface ReceivedQueueMessages {
  messages: QueueMessageRecord[];
  /** How many candidates were moved to the dead-letter queue on the way. */
  deadLettered: number;
}

/** The counts behind the ApproximateNumberOfMessages* attributes. */
export interface QueueMessageCounts {
  /** Receivable now. */
  visible: number;
  /** Received and within their visibility timeout. */
  inFlight: number;
  /** Never received, waiting for their delay to end. */
  delayed: number;
}

/**
 * A receipt-handle operation's outcome: `stale` when the message was received again since (or the token
 * is not its latest), `expired` when `expiredAt` was given and the message's visibility timeout ended
 * by then, `not-found` when no such message is in the queue (deleted, moved, expired, never existed).
 */
export type ReceiptOutcome = 'stale' | 'expired' | 'not-found';

// --- connections and API destinations ------------------------------------------------------------

export type ConnectionAuthorizationType = 'BASIC' | 'API_KEY' | 'OAUTH_CLIENT_CREDENTIALS';

export type ConnectionState =
  | 'CREATING'
  | 'UPDATING'
  | 'DELETING'
  | 'AUTHORIZED'
  | 'DEAUTHORIZED'
  | 'AUTHORIZING'
  | 'DEAUTHORIZING'
  | 'ACTIVE'
  | 'FAILED_CONNECTIVITY';

/** A header, query string or body parameter of a connection; `value` is absent when it is secret. */
export interface ConnectionParameterRecord {
  key: string;
  value?: string;
  isValueSecret: boolean;
}

export interface ConnectionHttpParametersRecord {
  headerParameters?: ConnectionParameterRecord[];
  queryStringParameters?: ConnectionParameterRecord[];
  bodyParameters?: ConnectionParameterRecord[];
}

/**
 * A connection. `authParameters` holds no secret (it is what DescribeConnection shows); the secrets are
 * in `sealedSecret`, encrypted by the caller, which the store keeps as given and never reads.
 */
export interface ConnectionRecord {
  name: string;
  arn: string;
  description?: string;
  authorizationType: ConnectionAuthorizationType;
  state: ConnectionState;
  stateReason?: string;
  secretArn: string;
  kmsKeyIdentifier?: string;
  authParameters: {
    basic?: { username: string };
    apiKey?: { name: string };
    oauth?: {
      clientId: string;
      authorizationEndpoint: string;
      httpMethod: 'GET' | 'POST' | 'PUT';
      httpParameters?: ConnectionHttpParametersRecord;
    };
    invocationHttpParameters?: ConnectionHttpParametersRecord;
  };
  /** Absent when nothing is secret (e.g. after DeauthorizeConnection, without secret parameters). */
  sealedSecret?: string;
  createdAt: number;
  updatedAt: number;
  lastAuthorizedAt?: number;
}

export type ApiDestinationHttpMethod = 'POST' | 'GET' | 'HEAD' | 'OPTIONS' | 'PUT' | 'PATCH' | 'DELETE';

export interface ApiDestinationRecord {
  name: string;
  arn: string;
  description?: string;
  connectionArn: string;
  invocationEndpoint: string;
  httpMethod: ApiDestinationHttpMethod;
  invocationRateLimitPerSecond: number;
  createdAt: number;
  updatedAt: number;
}

// --- task tokens ------------------------------------------------------------------------------------

export type TaskStatus = 'pending' | 'succeeded' | 'failed' | 'timed-out';

/** A task waiting for a callback (SendTaskSuccess/Failure/Heartbeat), keyed by its token's hash. */
export interface TaskTokenRecord {
  /** SHA-256 of the token (hex); the token itself is never stored. */
  tokenHash: string;
  status: TaskStatus;
  createdAt: number;
  /** When the task times out unless closed first (epoch ms). */
  timeoutAt: number;
  /** The heartbeat timeout; absent when the task has none. */
  heartbeatMs?: number;
  /** The latest heartbeat (or the creation) plus heartbeatMs. */
  heartbeatDeadline?: number;
  /** SendTaskSuccess's output (JSON text). */
  output?: string;
  /** SendTaskFailure's error and cause, or the timeout's (`States.Timeout`, `States.HeartbeatTimeout`). */
  error?: string;
  cause?: string;
  closedAt?: number;
}

/** How a task's callback went: `closed` (already answered) and `expired` (deadline passed) are refusals. */
export type TaskCallbackOutcome = 'not-found' | 'closed' | 'expired';

export type TaskCompletion =
  { status: 'succeeded'; output: string } | { status: 'failed'; error?: string; cause?: string };

/**
 * Channels of the optional notification capability: `deliveries` (new deliveries are due; payload: how
 * many, as decimal text) and `config` (rules, targets or connections changed; payload chosen by the
 * sender).
 */
export type StoreChannel = 'deliveries' | 'config';

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

  // --- inbound endpoints ----------------------------------------------------------------------------
  /** Creates an inbound endpoint; `exists` when its kind and id are taken (nothing is changed). */
  createInboundEndpoint(endpoint: InboundEndpointRecord): Promise<'created' | 'exists'>;
  getInboundEndpoint(kind: InboundEndpointKind, id: string): Promise<InboundEndpointRecord | undefined>;
  /** Endpoints of one kind in id order. */
  listInboundEndpoints(kind: InboundEndpointKind, page: PageRequest): Promise<Page<InboundEndpointRecord>>;
  /** Replaces definition, secrets and updatedAt (createdAt is kept). */
  updateInboundEndpoint(endpoint: InboundEndpointRecord): Promise<'updated' | 'not-found'>;
  deleteInboundEndpoint(kind: InboundEndpointKind, id: string): Promise<'deleted' | 'not-found'>;

  // --- events and deliveries --------------------------------------------------------------------------
  /**
   * Stores events and their deliveries atomically: when this resolves, all of them are durable; when it
   * rejects, none is. Deliveries are created `pending`, due at `now`.
   */
  appendEvents(batch: ReadonlyArray<AppendItem>, now: number): Promise<void>;
  getEvent(id: string): Promise<EventRecord | undefined>;
  /**
   * Leases up to `limit` deliveries due at `now` (pending, or in flight with an expired lease) to
   * `owner` until `now + leaseMs`; each goes `in-flight` with `attempts` unchanged.
   */
  claimDueDeliveries(owner: string, now: number, leaseMs: number, limit: number): Promise<DeliveryRecord[]>;
  getDelivery(id: string): Promise<DeliveryRecord | undefined>;
  /** Deliveries in creation order matching every given field of `filter` (see DeliveryFilter). */
  listDeliveries(filter: DeliveryFilter, page: PageRequest): Promise<Page<DeliveryRecord>>;
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
  /** The lease owners of in-flight deliveries, each once, in name order. */
  listLeaseOwners(): Promise<string[]>;
  /**
   * Puts one leased delivery back, pending until `dueAt`, without counting an attempt (the target asked
   * to be called later); `lease-lost` when `owner` no longer holds it.
   */
  deferDelivery(owner: string, id: string, dueAt: number, now: number): Promise<'deferred' | 'lease-lost'>;
  /**
   * When a delivery next becomes claimable (the earliest pending due time or lease expiry), so idle
   * workers sleep exactly until then; undefined when nothing is pending or in flight.
   */
  getNextDeliveryDue(): Promise<number | undefined>;
  /**
   * Pending deliveries due by `now`, counted up to `atMost` (the answer is never above it): the replayer
   * holds back while the backlog is long, so live deliveries do not queue behind replayed ones.
   */
  countDueDeliveries(now: number, atMost: number): Promise<number>;
  listAttempts(deliveryId: string): Promise<AttemptRecord[]>;
  /**
   * Fires a scheduled rule's tick at most once across every worker and node: in one transaction, when
   * `tickAt` is later than the rule's last fired tick, records it and appends the event with its
   * deliveries (as appendEvents); otherwise changes nothing and answers `already-fired`.
   */
  fireSchedule(
    ruleArn: string,
    tickAt: number,
    entry: { event: EventRecord; deliveries: readonly NewDelivery[] },
    now: number,
  ): Promise<'fired' | 'already-fired'>;

  // --- archives, replays and sinks (contract: contract/archives-contract.ts) ------------------------------
  /** Creates an archive; `exists` when the name is taken. */
  createArchive(archive: ArchiveRecord): Promise<'created' | 'exists'>;
  getArchive(name: string): Promise<ArchiveRecord | undefined>;
  listArchives(filter: ArchiveFilter, page: PageRequest): Promise<Page<ArchiveRecord>>;
  /** Every archive of every bus (to build the routing table at start-up). */
  listAllArchives(): Promise<ArchiveRecord[]>;
  /** Replaces description, pattern, retention, state and updatedAt. */
  updateArchive(archive: ArchiveRecord): Promise<'updated' | 'not-found'>;
  /** Deletes an archive with its archived events. */
  deleteArchive(name: string): Promise<'deleted' | 'not-found'>;
  /** EventCount and SizeBytes (bytes of the archived envelopes, UTF-8). */
  getArchiveStats(name: string): Promise<ArchiveStats>;
  /** Archived events of a window (event time, both ends included). */
  countArchivedEvents(name: string, window: EventTimeWindow): Promise<number>;
  /**
   * Up to `limit` archived events of a window in event-time order, then acceptance order, strictly after
   * `after` (from the start when absent).
   */
  listArchivedEvents(
    name: string,
    window: EventTimeWindow,
    after: ArchiveCursor | undefined,
    limit: number,
  ): Promise<ArchivedEvent[]>;
  /** Retention: deletes an archive's events whose event time is before `before`; returns how many. */
  pruneArchive(name: string, before: number): Promise<number>;

  /** Creates a replay (STARTING, nothing replayed); `exists` when the name is taken. */
  createReplay(replay: NewReplay): Promise<'created' | 'exists'>;
  getReplay(name: string): Promise<ReplayRecord | undefined>;
  listReplays(filter: ReplayFilter, page: PageRequest): Promise<Page<ReplayRecord>>;
  /** STARTING, RUNNING and CANCELLING replays, oldest first. */
  listActiveReplays(): Promise<ReplayRecord[]>;
  countActiveReplays(): Promise<number>;
  /**
   * Records progress and makes the replay RUNNING, only while it is STARTING or RUNNING; `not-running`
   * otherwise (cancelled meanwhile, or unknown).
   */
  recordReplayProgress(name: string, progress: ReplayProgress): Promise<'recorded' | 'not-running'>;
  /**
   * Takes or renews the right to run a replay for `owner` until `now + leaseMs`: `held` when the replay
   * was free, already `owner`'s, or its lease expired by `now`; `taken` while another replayer holds it.
   * With several nodes over one database, only the holder replays its events (once, not once per node).
   */
  leaseReplay(name: string, owner: string, now: number, leaseMs: number): Promise<'held' | 'taken'>;
  /** Moves a replay to `state` if it is in one of `from`; `conflict` when it is in another state. */
  setReplayState(
    name: string,
    change: { state: ReplayState; stateReason?: string; replayEndTime?: number },
    from: readonly ReplayState[],
  ): Promise<'updated' | 'conflict' | 'not-found'>;

  createSink(sink: SinkRecord): Promise<'created' | 'exists'>;
  getSink(name: string): Promise<SinkRecord | undefined>;
  listSinks(page: PageRequest): Promise<Page<SinkRecord>>;
  deleteSink(name: string): Promise<'deleted' | 'not-found'>;

  // --- queues and messages ----------------------------------------------------------------------------
  /** Creates a queue; `exists` when the name is taken (nothing is changed, tags included). */
  createQueue(queue: QueueRecord, tags?: readonly TagRecord[]): Promise<'created' | 'exists'>;
  getQueue(name: string): Promise<QueueRecord | undefined>;
  /** Queues in name order; the prefix is case-sensitive, without wildcards. */
  listQueues(namePrefix: string | undefined, page: PageRequest): Promise<Page<QueueRecord>>;
  /** Replaces a queue's attributes and updatedAt (name, arn, fifo and createdAt never change). */
  updateQueue(queue: QueueRecord): Promise<'updated' | 'not-found'>;
  /** Deletes a queue with its messages, its deduplication entries and its tags. */
  deleteQueue(name: string): Promise<'deleted' | 'not-found'>;
  /**
   * Stores messages atomically (all or none), in order, each `receiveCount` 0, `sentAt` and `enqueuedAt`
   * `now`; see SendQueueMessagesOptions for deduplication. Throws for a queue that does not exist.
   */
  sendQueueMessages(
    queueName: string,
    messages: readonly NewQueueMessage[],
    options: SendQueueMessagesOptions,
  ): Promise<SentQueueMessage[]>;
  /**
   * Atomically takes up to `limit` messages visible at `now`: each gets a new receipt token, its receive
   * count bumped, `firstReceivedAt` set on the first receive, `lastReceivedAt` now, and stays invisible
   * until `visibleUntil`. Standard queues: the longest visible first. FIFO queues: in seq order, skipping
   * every message of a group that has an earlier message not visible (delayed or in flight) or any
   * message in flight; several messages of one group can come in one call. No message goes to two
   * concurrent callers. A queue that does not exist gives nothing.
   */
  receiveQueueMessages(
    queueName: string,
    request: ReceiveQueueMessagesRequest,
  ): Promise<ReceivedQueueMessages>;
  getQueueMessage(queueName: string, id: string): Promise<QueueMessageRecord | undefined>;
  /**
   * Deletes a message if `receiptToken` is its latest; when `expiredAt` is given (FIFO), only while its
   * visibility timeout has not ended by then.
   */
  deleteQueueMessage(
    queueName: string,
    id: string,
    receiptToken: string,
    expiredAt?: number,
  ): Promise<'deleted' | ReceiptOutcome>;
  /** Makes a message invisible until `visibleAt` (now for visible at once), on the same terms as delete. */
  changeQueueMessageVisibility(
    queueName: string,
    id: string,
    receiptToken: string,
    visibleAt: number,
    expiredAt?: number,
  ): Promise<'changed' | ReceiptOutcome>;
  /** Deletes every message of a queue (deduplication entries stay); returns how many. */
  purgeQueue(queueName: string): Promise<number>;
  countQueueMessages(queueName: string, now: number): Promise<QueueMessageCounts>;
  /** The earliest time after `now` when a message of the queue becomes visible; undefined if none will. */
  getNextVisibleAt(queueName: string, now: number): Promise<number | undefined>;
  /**
   * Moves up to `limit` messages visible at `now`, oldest (seq) first, to another existing queue, in
   * one transaction: each keeps its id, body, attributes, group, deduplication id and sentAt, gets a new
   * seq, is visible at `now` with its receive count reset; `enqueuedAt` restarts only in a FIFO target.
   * Returns how many moved.
   */
  moveQueueMessages(from: string, to: string, options: { now: number; limit: number }): Promise<number>;
  /**
   * Retention: deletes the queue's messages enqueued at or before `enqueuedBefore`, and its
   * deduplication entries whose window ended by `now`. Returns how many messages went.
   */
  pruneQueue(queueName: string, options: { enqueuedBefore: number; now: number }): Promise<number>;

  // --- connections and API destinations ------------------------------------------------------------
  /** Creates a connection; `exists` when the name is taken. */
  createConnection(connection: ConnectionRecord): Promise<'created' | 'exists'>;
  getConnection(name: string): Promise<ConnectionRecord | undefined>;
  /** Connections in name order; the prefix is case-sensitive; `state` keeps only those in that state. */
  listConnections(
    filter: { namePrefix?: string; state?: ConnectionState },
    page: PageRequest,
  ): Promise<Page<ConnectionRecord>>;
  /**
   * Replaces a connection's mutable fields (name, arn, secretArn and createdAt never change). With
   * `condition`, only while the stored row still has that state and updatedAt: `changed` otherwise.
   */
  updateConnection(
    connection: ConnectionRecord,
    condition?: { state: ConnectionState; updatedAt: number },
  ): Promise<'updated' | 'not-found' | 'changed'>;
  /** Deletes a connection, unless an API destination uses it (`in-use`, decided in one transaction). */
  deleteConnection(name: string): Promise<'deleted' | 'not-found' | 'in-use'>;
  /** Creates an API destination; `no-connection` when no connection has its connectionArn. */
  createApiDestination(destination: ApiDestinationRecord): Promise<'created' | 'exists' | 'no-connection'>;
  getApiDestination(name: string): Promise<ApiDestinationRecord | undefined>;
  /** API destinations in name order, by prefix and connection ARN. */
  listApiDestinations(
    filter: { namePrefix?: string; connectionArn?: string },
    page: PageRequest,
  ): Promise<Page<ApiDestinationRecord>>;
  /** Replaces an API destination's mutable fields (name, arn and createdAt never change). */
  updateApiDestination(destination: ApiDestinationRecord): Promise<'updated' | 'not-found' | 'no-connection'>;
  deleteApiDestination(name: string): Promise<'deleted' | 'not-found'>;

  // --- task tokens ----------------------------------------------------------------------------------
  /** Creates a pending task; `exists` when the token hash is taken. */
  createTaskToken(task: TaskTokenRecord): Promise<'created' | 'exists'>;
  getTaskToken(tokenHash: string): Promise<TaskTokenRecord | undefined>;
  /** Closes a pending task whose deadlines are after `now` with its outcome. */
  completeTaskToken(
    tokenHash: string,
    completion: TaskCompletion,
    now: number,
  ): Promise<'completed' | TaskCallbackOutcome>;
  /** Moves a pending, live task's heartbeat deadline to `now` plus its heartbeat timeout. */
  heartbeatTaskToken(tokenHash: string, now: number): Promise<'extended' | TaskCallbackOutcome>;
  /** Records the timeout of a pending task whose deadline is at or before `now`; false otherwise. */
  expireTaskToken(
    tokenHash: string,
    timeout: { error: string; cause: string },
    now: number,
  ): Promise<boolean>;
  /** Deletes tasks closed before `before` and pending ones whose timeout passed before it; returns how many. */
  pruneTaskTokens(before: number): Promise<number>;

  // --- retention ----------------------------------------------------------------------------------
  /**
   * Retention, one window at a time: of the `limit` events accepted after `afterSeq` (0: the oldest),
   * deletes those ingested before `before` whose deliveries are all final (delivered, failed,
   * dead-lettered) and that no archive holds, with their deliveries and attempts. Answers how many went,
   * the window's last seq (the next call's `afterSeq`; absent when the window was empty) and `done` when
   * the window was empty or reached events ingested at or after `before`.
   */
  pruneEvents(
    before: number,
    window: { afterSeq: number; limit: number },
  ): Promise<{ deleted: number; lastSeq?: number; done: boolean }>;

  // --- optional: sharing one storage between nodes (PostgreSQL; SQLite serves one process) -----------
  /**
   * Each bus's configuration version, moved on by every write to the bus, its rules or its targets
   * (from any node). A node reloads the buses whose version changed since it loaded them.
   */
  getConfigVersions?(): Promise<ReadonlyMap<string, number>>;
  /**
   * Takes the next invocation slot of `key` (slots `intervalMs` apart, one schedule for every node)
   * unless it is more than `maxWaitMs` away: `taken` with the wait until it, or not taken with the wait
   * until the next free slot (nothing reserved).
   */
  reserveRateSlot?(
    key: string,
    intervalMs: number,
    maxWaitMs: number,
  ): Promise<{ taken: boolean; waitMs: number }>;

  // --- optional: notifications across processes (PostgreSQL's LISTEN/NOTIFY; SQLite has none) ---------
  /**
   * Calls `listener` for every notification on `channel` from any process sharing the storage,
   * appendEvents' own included; resolves once listening, with the function that stops it. Delivery is
   * best-effort (lost while the connection is down): use it to wake up, and still poll.
   */
  subscribe?(channel: StoreChannel, listener: (payload: string) => void): Promise<() => Promise<void>>;
  /** Notifies every subscriber of `channel`, in this process and others. */
  notify?(channel: StoreChannel, payload: string): Promise<void>;

  close(): Promise<void>;
}
