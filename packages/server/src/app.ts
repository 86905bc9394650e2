/**
 * Builds the server without listening (tests use `app.inject()` or listen on port 0 themselves):
 * store, keyring, bus service and the HTTP surface, wired from one resolved configuration.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { LogController, type FastifyInstance, type FastifyRequest } from 'fastify';
import { registerAwsJsonProtocol } from './api/aws-json/protocol.js';
import { createConnectionsOperations } from './api/operations/connections.js';
import { createDeliveriesOperations } from './api/operations/deliveries.js';
import { createArchiveOperations, createSinkOperations } from './api/operations/archives.js';
import { createEventsOperations } from './api/operations/events.js';
import { createInboundOperations } from './api/operations/inbound.js';
import { createSqsOperations } from './api/operations/sqs.js';
import { createTaskTokenOperations } from './api/operations/task-tokens.js';
import { createSqsQueryProtocol } from './api/query/sqs-query-protocol.js';
import { createAuthenticator, type AuthResult } from './api/sigv4.js';
import { createKeyring, type Keyring } from './auth/access-keys.js';
import { createArchiveService, type ArchiveService } from './bus/archives.js';
import { createBusService } from './bus/bus-service.js';
import type { ConnectionService } from './bus/connection-types.js';
import { startConfigSync, type ConfigSync } from './bus/config-sync.js';
import { createConnectionService } from './bus/connections.js';
import type { RoutingTable } from './bus/routing.js';
import type { BusService } from './bus/types.js';
import { createDeliveryEngine, type DeliveryEngine } from './delivery/delivery-engine.js';
import { createOAuthTokenCache, type OAuthTokenCache } from './delivery/oauth-tokens.js';
import { createOutboundDispatcher } from './delivery/outbound.js';
import { createRetentionPruner } from './delivery/retention.js';
import { createReplayer, type Replayer } from './delivery/replayer.js';
import { createScheduler, type Scheduler } from './delivery/scheduler.js';
import { createApiDestinationTarget } from './delivery/targets/api-destination-target.js';
import { createSinkService, type SinkService } from './delivery/sinks/sink-service.js';
import { createEventBusTarget } from './delivery/targets/event-bus-target.js';
import { createQueueTarget } from './delivery/targets/queue-target.js';
import { createSharedRateLimiter } from './delivery/targets/rate-limiter.js';
import { createInboundService, type InboundService } from './inbound/inbound-service.js';
import { registerInboundRoutes } from './inbound/routes.js';
import { createQueueService } from './queues/queue-service.js';
import type { QueueService } from './queues/types.js';
import type { ResolvedConfig } from './config/schema.js';
import { createMetrics, type BuswayMetrics } from './metrics/metrics.js';
import { registerMetricsRoute } from './metrics/metrics-route.js';
import { createDeliveryInspector } from './observe/deliveries.js';
import { registerDeliveriesRoute } from './observe/deliveries-route.js';
import { createTail, registerTailRoute, type TailOptions } from './observe/tail.js';
import { createPostgresStore } from './store/postgres/postgres-store.js';
import { createSqliteStore } from './store/sqlite/sqlite-store.js';
import type { EventRecord, NewDelivery, Store } from './store/store.js';
import { createTaskTokenService, type TaskTokenService } from './tasks/task-tokens.js';

/** A batch of events made durable by ingest, with the deliveries written for them. */
export type StoredBatch = ReadonlyArray<{ event: EventRecord; deliveries: readonly NewDelivery[] }>;

export interface BuswayApp {
  readonly http: FastifyInstance;
  readonly store: Store;
  /** The bus service, with the routing table it keeps (rules and targets in memory). */
  readonly bus: BusService & { readonly routing: RoutingTable };
  readonly queues: QueueService;
  readonly inbound: InboundService;
  readonly keyring: Keyring;
  /** Connections and API destinations; the delivery engine calls resolveApiDestination. */
  readonly connections: ConnectionService;
  /** OAuth client-credentials tokens of connections (shared by authorization and delivery). */
  readonly oauthTokens: OAuthTokenCache;
  readonly config: ResolvedConfig;
  /** Prometheus metrics (`GET /metrics`); pass `metrics.deliveryObserver` to the delivery engine. */
  readonly metrics: BuswayMetrics;
  /**
   * The delivery workers and the scheduler of scheduled rules. Built with the app, started by
   * `startDelivery()` (`busway serve` does; CLI commands that only manage the store do not).
   */
  readonly delivery: DeliveryEngine;
  readonly scheduler: Scheduler;
  /** Archives and replays (domain), the replay runner (started by `startDelivery()`) and storage sinks. */
  readonly archives: ArchiveService;
  readonly replayer: Replayer;
  readonly sinks: SinkService;
  /** Task tokens: Busway.CreateTask/WaitForTask and Step Functions' SendTask* callbacks. */
  readonly tasks: TaskTokenService;
  startDelivery(): void;
  /**
   * Checks the SigV4 signature of a request to one of Busway's own plain HTTP endpoints (service
   * `busway`, an empty body as for a GET); throws AuthError, which api/error-shapes.ts renders.
   */
  authenticateRequest(request: FastifyRequest): Promise<AuthResult>;
  /**
   * Calls `listener` after every batch ingest has stored (delivery wake-up, live tail, metrics);
   * returns the function that removes it. Listeners must not throw.
   */
  onEventsStored(listener: (batch: StoredBatch) => void): () => void;
  /** Stops serving and closes the store. */
  close(): Promise<void>;
}

export interface BuildOptions {
  /** Use this store instead of opening one from the configuration (tests). */
  store?: Store;
  /** Live tail settings (tests shorten the heartbeat or the slow-consumer limit). */
  tail?: TailOptions;
}

export const SQLITE_FILE = 'busway.sqlite';

/** Due deliveries per delivery worker above which replays pause (see createReplayer's isBacklogged). */
const REPLAY_BACKLOG_PER_WORKER = 4;

/** createTtlCache per key; entries of keys not asked for again are dropped when stale. */
function createKeyedTtlCache<T>(
  ttlMs: number,
  compute: (key: string) => Promise<T>,
): { get(key: string): Promise<T> } {
  const caches = new Map<string, { get(): Promise<T> }>();
  let swept = Date.now();
  return {
    get(key) {
      const now = Date.now();
      if (now - swept > 60_000) {
        caches.clear(); // bounded memory for callers that send many unknown key ids
        swept = now;
      }
      let cache = caches.get(key);
      if (cache === undefined) {
        cache = createTtlCache(ttlMs, () => compute(key));
        caches.set(key, cache);
      }
      return cache.get();
    },
  };
}

/** A value recomputed when older than `ttlMs`; concurrent callers share one computation. */
function createTtlCache<T>(ttlMs: number, compute: () => Promise<T>): { get(): Promise<T> } {
  let value: Promise<T> | undefined;
  let at = 0;
  return {
    get() {
      const now = Date.now();
      if (value === undefined || now - at >= ttlMs) {
        at = now;
        value = compute().catch((error: unknown) => {
          value = undefined;
          throw error;
        });
      }
      return value;
    },
  };
}

/** Opens the embedded SQLite store of `config.dataDir`; PostgreSQL needs openStoreAsync. */
export function openStore(config: ResolvedConfig): Store {
  if (config.databaseUrl !== undefined) {
    throw new Error('openStore opens only the SQLite store: use openStoreAsync for --database-url.');
  }
  mkdirSync(config.dataDir, { recursive: true });
  return createSqliteStore({
    path: join(config.dataDir, SQLITE_FILE),
    synchronous: config.sqliteSynchronous,
  });
}

/** Opens the store `config` selects: PostgreSQL with `databaseUrl` (migrated on open), else SQLite. */
export async function openStoreAsync(config: ResolvedConfig): Promise<Store> {
  if (config.databaseUrl === undefined) return openStore(config);
  return createPostgresStore({
    connectionString: config.databaseUrl,
    schema: config.databaseSchema,
    // Connections that break while idle are replaced by the pool; say so, since no call fails for it.
    onError: (error) => {
      if (config.logLevel !== 'silent') {
        process.stderr.write(`busway: a PostgreSQL connection failed and is replaced: ${error.message}\n`);
      }
    },
  });
}

export async function buildApp(config: ResolvedConfig, options: BuildOptions = {}): Promise<BuswayApp> {
  const store = options.store ?? (await openStoreAsync(config));
  const http = Fastify({
    // Logs go to stderr: stdout carries only the `busway listening on ...` line other tools wait for.
    logger: config.logLevel === 'silent' ? false : { level: config.logLevel, stream: process.stderr },
    // The AWS protocol plugin enforces its own limit with an AWS-shaped error; this is the hard cap.
    bodyLimit: config.maxBodyBytes + 1024,
    // One log line per request costs more than PutEvents itself at load; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
  });
  try {
    const keyring = createKeyring(store, { dataDir: options.store ? undefined : config.dataDir });
    if (config.accessKeyId !== undefined && config.secretAccessKey !== undefined) {
      await keyring.bootstrap(config.accessKeyId, config.secretAccessKey);
    }
    let droppedForMissingBus = 0;
    const storedListeners = new Set<(batch: StoredBatch) => void>();
    // Read before the routing table loads: changes other nodes make meanwhile are reloaded by configSync.
    const loadedVersions = await store.getConfigVersions?.();
    const metrics = createMetrics();
    const tail = createTail(options.tail);
    storedListeners.add(metrics.onEventsStored);
    storedListeners.add(tail.onEventsStored);
    const bus = await createBusService(store, config, {
      onStored(batch) {
        for (const listener of storedListeners) listener(batch);
      },
      onDroppedForMissingBus(busName, eventId) {
        droppedForMissingBus++;
        http.log.warn(
          { busName, eventId, droppedForMissingBus },
          'PutEvents entry for a bus that does not exist was dropped',
        );
      },
    });
    // Open mode (no keys) is re-checked at most once a second, not per request: keys created by
    // `busway keys create` in another process take effect within that second.
    const openMode = createTtlCache(1000, async () => (await keyring.count()) === 0);
    // Secrets are read and decrypted at most once a second per key rather than per request (a
    // deleted key stops working within that second, as open mode above).
    const secrets = createKeyedTtlCache(1000, (accessKeyId: string) => keyring.lookupSecret(accessKeyId));
    let warnedOpen = false;
    const authenticate = createAuthenticator({
      lookupSecret: (accessKeyId) => secrets.get(accessKeyId),
      isOpen: () => openMode.get(),
      onOpenRequest() {
        if (warnedOpen) return;
        warnedOpen = true;
        http.log.warn(
          'no access keys configured: accepting every request without checking signatures (local development mode)',
        );
      },
    });
    const queues = createQueueService(store, { region: config.region, accountId: config.accountId });
    const ctx = { region: config.region, accountId: config.accountId };
    const outbound = createOutboundDispatcher({
      allowCidrs: config.outboundAllowCidrs
        .split(',')
        .map((cidr) => cidr.trim())
        .filter((cidr) => cidr !== ''),
    });
    const oauthTokens = createOAuthTokenCache({
      dispatcher: outbound.dispatcher,
      checkUrl: outbound.checkUrl,
    });
    const connections = createConnectionService(store, keyring, {
      region: config.region,
      accountId: config.accountId,
      tokens: oauthTokens,
      log: http.log,
    });
    await connections.start();
    let configSync: ConfigSync | undefined;
    if (store.getConfigVersions !== undefined && loadedVersions !== undefined) {
      configSync = await startConfigSync({
        store,
        getConfigVersions: store.getConfigVersions.bind(store),
        routing: bus.routing,
        loadedVersions,
        intervalMs: config.configSyncIntervalMs,
        log: http.log,
      });
    }
    const sinks = createSinkService(store, {
      ...ctx,
      spoolRoot: join(config.dataDir, 'sinks'),
      localRoot: config.sinkRoot ?? join(config.dataDir, 'sink-output'),
      log: http.log,
    });
    const delivery = createDeliveryEngine({
      store,
      getTarget: (busName, ruleName, targetId) => bus.routing.getTarget(busName, ruleName, targetId),
      targetKinds: [
        {
          name: 'api-destination',
          matches: (arn) => /^arn:aws[\w-]*:events:[^:]*:\d{12}:api-destination\//.test(arn),
          invoke: createApiDestinationTarget({
            resolve: (arn) => connections.resolveApiDestination(arn),
            getToken: (connection, options) => oauthTokens.getToken(connection, options),
            dispatcher: outbound.dispatcher,
            checkUrl: outbound.checkUrl,
            // Several nodes: one schedule per destination in the store, so the rate holds cluster-wide.
            ...(store.reserveRateSlot !== undefined && {
              limiter: createSharedRateLimiter(store.reserveRateSlot.bind(store)),
            }),
          }),
        },
        {
          name: 'queue',
          matches: (arn) => /^arn:aws[\w-]*:sqs:/.test(arn),
          invoke: createQueueTarget(queues, ctx),
        },
        {
          name: 'event-bus',
          matches: (arn) => /^arn:aws[\w-]*:events:[^:]*:\d{12}:event-bus\//.test(arn),
          invoke: createEventBusTarget(bus, (name) => bus.routing.hasBus(name), ctx),
        },
        sinks.targetKind,
      ],
      queues,
      ctx,
      concurrency: config.deliveryConcurrency,
      leaseMs: config.deliveryLeaseMs,
      drainMs: config.deliveryDrainMs,
      backoff: { baseDelayMs: config.retryBaseDelayMs, maxDelayMs: config.retryMaxDelayMs },
      observer: metrics.deliveryObserver,
      log: http.log,
    });
    storedListeners.add(() => delivery.wake());
    const scheduler = createScheduler({
      store,
      routing: bus.routing,
      ctx,
      // Scheduled events are stored like ingested ones: tail, metrics and the workers hear of them alike.
      onFired(batch) {
        for (const listener of storedListeners) listener(batch);
      },
      log: http.log,
    });
    const retention =
      config.retentionHours > 0
        ? createRetentionPruner({ store, retentionMs: config.retentionHours * 3_600_000, log: http.log })
        : undefined;
    let stopWakeups: (() => Promise<void>) | undefined;
    const replayer = createReplayer({
      store,
      owner: delivery.owner,
      replayEvents: (batch) => bus.replayEvents(batch),
      hasBus: (name) => bus.routing.hasBus(name),
      ratePerSecond: config.replayRatePerSecond,
      // A live event put now waits behind at most this many replayed deliveries (bench:archives saw
      // live p99 go from 1.3 s to 2.6 s during a replay at the default rate before this bound).
      isBacklogged: async () => {
        const limit = REPLAY_BACKLOG_PER_WORKER * config.deliveryConcurrency;
        return (await store.countDueDeliveries(Date.now(), limit)) >= limit;
      },
      log: http.log,
    });
    const archives = createArchiveService(store, bus.routing, {
      ...ctx,
      maxEventPatternLength: config.maxEventPatternLength,
      onReplayChanged: () => replayer.wake(),
    });
    // Retention is enforced hourly (EventBridge subtracts expired events about daily), and at start.
    let pruneTimer: NodeJS.Timeout | undefined;
    const prune = (): void => {
      archives.pruneArchives().catch((error: unknown) => {
        http.log.error({ err: error }, 'archive retention pass failed; trying again in an hour');
      });
    };
    let deliveryStarted = false;
    let closing: Promise<void> | undefined;
    const sqsOperations = createSqsOperations(queues, config);
    const deliveriesOperations = createDeliveriesOperations(createDeliveryInspector(store));
    const inbound = createInboundService({
      store,
      keyring,
      bus,
      maxBodyBytes: config.maxBodyBytes,
      fetchJwks: (url, init) => outbound.fetch(url, init),
    });
    const tasks = createTaskTokenService(store);
    // One port for every AWS protocol: EventBridge and SQS over JSON, and SQS's older query protocol.
    registerAwsJsonProtocol(http, {
      operations: new Map([
        ...createEventsOperations(bus, config),
        ...createConnectionsOperations(connections, config),
        ...sqsOperations,
        ...deliveriesOperations,
        ...createInboundOperations(inbound),
        ...createArchiveOperations(archives),
        ...createSinkOperations(sinks),
        ...createTaskTokenOperations(tasks),
      ]),
      authenticate,
      bodyLimit: config.maxBodyBytes,
      formProtocol: createSqsQueryProtocol({ operations: sqsOperations, authenticate }),
    });
    registerInboundRoutes(http, { inbound, bodyLimit: config.maxBodyBytes });
    http.get('/health', async () => ({ status: 'ok' }));
    const authenticateRequest = (request: FastifyRequest): Promise<AuthResult> =>
      authenticate(
        {
          method: request.method,
          url: request.raw.url ?? request.url,
          headers: request.headers,
          rawBody: Buffer.alloc(0),
        },
        'busway',
      );
    registerMetricsRoute(http, metrics);
    registerTailRoute(http, {
      tail,
      authenticate: authenticateRequest,
      requireBus: (busName) => bus.describeEventBus(busName),
      maxPatternLength: config.maxEventPatternLength,
    });
    const listDeliveries = deliveriesOperations.get('Busway.ListDeliveries');
    if (listDeliveries !== undefined) {
      registerDeliveriesRoute(http, { listDeliveries, authenticate: authenticateRequest });
    }
    return {
      http,
      store,
      bus,
      queues,
      inbound,
      keyring,
      connections,
      oauthTokens,
      config,
      metrics,
      authenticateRequest,
      onEventsStored(listener) {
        storedListeners.add(listener);
        return () => storedListeners.delete(listener);
      },
      delivery,
      scheduler,
      archives,
      replayer,
      sinks,
      tasks,
      startDelivery() {
        if (deliveryStarted) return;
        deliveryStarted = true;
        // Spools left by a crash are flushed before new deliveries arrive.
        sinks.recover().catch((error: unknown) => {
          http.log.error({ err: error }, 'storage sinks: recovering spool files failed');
        });
        delivery.start();
        scheduler.start();
        retention?.start();
        // Deliveries written by other nodes wake this node's workers too (their own poll stays the backstop).
        if (store.subscribe !== undefined) {
          void store
            .subscribe('deliveries', () => delivery.wake())
            .then((stop) => {
              if (closing === undefined) stopWakeups = stop;
              else void stop();
            })
            .catch((error: unknown) => {
              http.log.error({ err: error }, 'listening for deliveries of other nodes failed; polling only');
            });
        }
        replayer.start();
        prune();
        pruneTimer = setInterval(prune, 3_600_000);
        pruneTimer.unref();
      },
      close() {
        // Once: a second call (a test's cleanup after the test closed the app) waits for the first.
        closing ??= (async () => {
          // Deliveries first: they still need the store, the queues (dead letters) and ingest (bus targets).
          clearInterval(pruneTimer);
          await replayer.stop();
          await scheduler.stop();
          await retention?.stop();
          await stopWakeups?.();
          await configSync?.stop();
          await delivery.stop();
          await sinks.close(); // after the engine: in-flight sink deliveries finish their spool writes first
          queues.close(); // ends long polls, so in-flight ReceiveMessage calls answer before the port closes
          tail.close(); // ends live tails, which would otherwise hold the port open
          tasks.close(); // ends WaitForTask long polls, as queues.close() does ReceiveMessage's
          await http.close();
          await connections.close(); // background OAuth authorizations write to the store: finish them first
          await outbound.close();
          await store.close();
        })();
        return closing;
      },
    };
  } catch (error) {
    await http.close();
    await store.close();
    throw error;
  }
}
