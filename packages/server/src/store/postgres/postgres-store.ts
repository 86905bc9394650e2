import { createHash } from 'node:crypto';

import pg from 'pg';

import { StoreClosedError, StoreError, toError } from '../errors.js';
import { checkPageLimit, decodeNumberPageToken, decodeStringPageToken } from '../page-token.js';
import type { Migration } from '../sqlite/migrate.js';
import {
  accessKeyFromRow,
  archiveFromRow,
  archiveParams,
  inboundEndpointFromRow,
  inboundEndpointParams,
  replayFromRow,
  sinkFromRow,
  taskTokenFromRow,
  type TaskTokenRow,
  type ArchiveRow,
  type InboundEndpointRow,
  type ReplayRow,
  type SinkRow,
  apiDestinationFromRow,
  apiDestinationParams,
  attemptFromRow,
  busFromRow,
  busParams,
  connectionFromRow,
  connectionParams,
  deliveryFromRow,
  newReceiptToken,
  queueFromRow,
  queueMessageFromRow,
  queueParams,
  ruleFromRow,
  ruleParams,
  targetFromRow,
  targetParams,
  toJson,
  toPage,
  type AccessKeyRow,
  type ApiDestinationRow,
  type AttemptRow,
  type BusRow,
  type ConnectionRow,
  type DeduplicationRow,
  type DeliveryRow,
  type EventRow,
  type QueueMessageInsert,
  type QueueMessageRow,
  type QueueRow,
  type RuleRow,
  type TargetRow,
} from '../sqlite/sqlite-store.js';
import type {
  ApiDestinationRecord,
  AppendItem,
  TaskCallbackOutcome,
  NewQueueMessage,
  QueueMessageRecord,
  ReceiptOutcome,
  ReceiveQueueMessagesRequest,
  ReceivedQueueMessages,
  SendQueueMessagesOptions,
  SentQueueMessage,
  Store,
  StoreChannel,
  TagRecord,
} from '../store.js';
import { migrate, readPostgresMigrations } from './migrate.js';
import { createNotificationHub, type NotificationHub } from './notifications.js';
import { advisoryLockKey, readQueries, type CompiledQuery } from './sql-files.js';

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database` (libpq parameters such as `sslmode` included). */
  connectionString: string;
  /**
   * The schema holding Busway's tables (created if absent): several installations, or test runs, can
   * share one database. Lower-case letters, digits and `_`. Default `public`.
   */
  schema?: string;
  /** Connections in the pool (default 10), plus one for LISTEN once somebody subscribes. */
  poolSize?: number;
  /** Hears of connection errors that no call can report (an idle connection or LISTEN dropping). */
  onError?: (error: Error) => void;
}

/** The PostgreSQL store: the Store interface with its notification capability. */
export interface PostgresStore extends Store {
  readonly schema: string;
  subscribe: NonNullable<Store['subscribe']>;
  notify: NonNullable<Store['notify']>;
  getConfigVersions: NonNullable<Store['getConfigVersions']>;
  reserveRateSlot: NonNullable<Store['reserveRateSlot']>;
}

/** PostgreSQL's foreign_key_violation: a connection deleted between the check and the write. */
const FOREIGN_KEY_VIOLATION = '23503';

function isForeignKeyViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === FOREIGN_KEY_VIOLATION;
}

const DEFAULT_POOL_SIZE = 10;
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

const QUERY_NAMES = [
  'insert_bus',
  'get_bus',
  'list_buses',
  'update_bus',
  'delete_bus_tags',
  'delete_bus',
  'insert_rule',
  'update_rule',
  'get_rule',
  'list_rules',
  'list_all_rules',
  'count_rules',
  'delete_rule_tags',
  'delete_rule',
  'upsert_target',
  'delete_targets',
  'list_targets',
  'get_targets',
  'list_rule_names_by_target',
  'get_tags',
  'upsert_tags',
  'delete_tags',
  'insert_access_key',
  'get_access_key',
  'list_access_keys',
  'delete_access_key',
  'append_events',
  'get_event',
  'claim_due_deliveries',
  'get_delivery',
  'list_deliveries',
  'list_deliveries_by_event',
  'list_deliveries_by_status',
  'list_deliveries_by_rule',
  'defer_delivery',
  'get_next_delivery_due',
  'upsert_schedule_tick',
  'prune_events',
  'get_prune_window',
  'record_attempt',
  'release_deliveries',
  'list_attempts',
  'notify',
  'insert_queue',
  'get_queue',
  'list_queues',
  'update_queue',
  'delete_queue_tags',
  'delete_queue',
  'lock_queue_for_send',
  'lock_queue_for_receive',
  'insert_queue_message',
  'get_queue_deduplication',
  'upsert_queue_deduplication',
  'list_receivable_queue_messages',
  'list_receivable_fifo_queue_messages',
  'receive_queue_message',
  'get_queue_message',
  'get_queue_message_for_update',
  'delete_queue_message',
  'update_queue_message_visibility',
  'purge_queue_messages',
  'count_queue_messages',
  'get_next_visible_at',
  'list_movable_queue_messages',
  'prune_queue_messages',
  'prune_queue_deduplication',
  'insert_connection',
  'get_connection',
  'get_connection_for_update',
  'get_connection_arn',
  'list_connections',
  'update_connection',
  'delete_connection',
  'count_api_destinations_by_connection',
  'insert_api_destination',
  'get_api_destination',
  'list_api_destinations',
  'update_api_destination',
  'delete_api_destination',
  'bump_config_version',
  'list_config_versions',
  'insert_rate_slot',
  'reserve_rate_slot',
  'insert_inbound_endpoint',
  'get_inbound_endpoint',
  'list_inbound_endpoints',
  'update_inbound_endpoint',
  'delete_inbound_endpoint',
  'insert_archive',
  'get_archive',
  'list_archives',
  'list_all_archives',
  'update_archive',
  'delete_archive',
  'insert_archive_events',
  'get_archive_stats',
  'count_archived_events',
  'list_archived_events',
  'prune_archive_events',
  'insert_replay',
  'get_replay',
  'list_replays',
  'list_active_replays',
  'update_replay_progress',
  'lease_replay',
  'update_replay_state',
  'count_active_replays',
  'insert_sink',
  'get_sink',
  'list_sinks',
  'delete_sink',
  'list_lease_owners',
  'count_due_deliveries',
  'insert_task_token',
  'get_task_token',
  'complete_task_token',
  'extend_task_heartbeat',
  'expire_task_token',
  'prune_task_tokens',
] as const;

type QueryName = (typeof QUERY_NAMES)[number];

/** The folder of query files (`verb_noun.sql`), next to this module in src/ and (copied) in dist/. */
export const QUERIES_DIR = new URL('./queries/', import.meta.url);

// Files do not change while the process runs: read them once, however many stores are opened.
let cachedMigrations: Migration[] | undefined;
let cachedQueries: Record<QueryName, CompiledQuery> | undefined;

/**
 * Rows come back in the shapes the SQLite store's mappers read: bigint (epoch ms, seq, counts) as a
 * number (every value Busway stores is below 2^53; a larger one would be a bug, so it throws), and
 * jsonb as its JSON text, parsed by the mappers as SQLite's TEXT columns are. Per pool, not pg's
 * global parsers, so that other users of `pg` in the process are unaffected.
 */
const TYPE_PARSERS: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === pg.types.builtins.INT8) return parseSafeInteger;
    if (oid === pg.types.builtins.JSONB || oid === pg.types.builtins.JSON) return (text: string) => text;
    return pg.types.getTypeParser(oid, format);
  }) as pg.CustomTypesConfig['getTypeParser'],
};

function parseSafeInteger(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) {
    throw new StoreError('STORE_INTEGER_UNSAFE', `The database returned ${text}, beyond 2^53.`);
  }
  return value;
}

/** The URL without its password, and the schema: how errors name the database. */
function describeLocation(connectionString: string, schema: string): string {
  let where = connectionString;
  try {
    const url = new URL(connectionString);
    if (url.password !== '') url.password = '***';
    where = url.toString();
  } catch {
    where = '(a PostgreSQL connection string)';
  }
  return `${where} (schema ${schema})`;
}

/**
 * A notification channel per (channel, schema), so that installations sharing a database do not wake
 * each other; hashed when the name would pass PostgreSQL's 63-byte identifier limit.
 */
export function notificationChannel(channel: StoreChannel, schema: string): string {
  const name = `busway.${channel}.${schema}`;
  if (Buffer.byteLength(name) <= 63) return name;
  return `busway.${channel}.${createHash('sha256').update(schema).digest('hex').slice(0, 16)}`;
}

/**
 * Connects to PostgreSQL, migrates the schema (under an advisory lock: see migrate.ts) and returns the
 * store over a connection pool. Throws SchemaTooNewError, untouched, for a schema from a newer Busway.
 */
export async function createPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const schema = options.schema ?? 'public';
  if (!SCHEMA_NAME.test(schema)) {
    throw new StoreError(
      'STORE_SCHEMA_NAME_INVALID',
      `The PostgreSQL schema name ${JSON.stringify(schema)} is not valid: use 1 to 63 lower-case ` +
        `letters, digits and _, starting with a letter or _.`,
    );
  }
  cachedMigrations ??= readPostgresMigrations();
  cachedQueries ??= readQueries(QUERY_NAMES, QUERIES_DIR);
  const onError = options.onError ?? (() => {});
  const clientConfig: pg.ClientConfig = {
    connectionString: options.connectionString,
    application_name: 'busway',
    // Every connection starts with the store's schema first on its search path, so the queries name
    // tables unqualified and one set of files serves any schema.
    options: `-c search_path=${schema}`,
    types: TYPE_PARSERS,
  };
  const pool = new pg.Pool({ ...clientConfig, max: options.poolSize ?? DEFAULT_POOL_SIZE });
  // An idle connection that breaks (server restart, network) is removed by the pool; without a
  // listener the 'error' event would crash the process. The next query opens a new one.
  pool.on('error', (error) => onError(error));
  const location = describeLocation(options.connectionString, schema);
  try {
    const client = await pool.connect().catch((error: unknown) => {
      throw new StoreError(
        'STORE_DATABASE_UNAVAILABLE',
        `Cannot connect to the PostgreSQL database ${location}: ${toError(error).message}. Check ` +
          `--database-url and that the server accepts connections.`,
        { cause: error },
      );
    });
    try {
      await migrate(client, schema, cachedMigrations, location);
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end();
    throw error;
  }
  return openStore(pool, schema, cachedQueries, createNotificationHub(clientConfig, onError));
}

/** Runs one query file with named values (extra keys are ignored; a missing one is a bug). */
type Run = <Row extends pg.QueryResultRow = pg.QueryResultRow>(
  name: QueryName,
  values?: Record<string, unknown>,
) => Promise<pg.QueryResult<Row>>;

function openStore(
  pool: pg.Pool,
  schema: string,
  queries: Record<QueryName, CompiledQuery>,
  hub: NotificationHub,
): PostgresStore {
  const runOn =
    (target: pg.Pool | pg.PoolClient): Run =>
    (name, values = {}) => {
      const query = queries[name];
      return target.query({
        // Named: each connection parses and plans a query once, then only binds and executes it.
        name: `busway_${name}`,
        text: query.text,
        values: query.params.map((param) => {
          if (!(param in values)) throw new Error(`query ${name}: no value for parameter ${param}`);
          return values[param];
        }),
      });
    };
  const run = runOn(pool);

  /** Runs `work` in a transaction on one connection: committed if it resolves, rolled back if not. */
  const transaction = async <T>(work: (run: Run) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      try {
        const result = await work(runOn(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollbackError: unknown) => {
          // A connection that cannot roll back is in an unknown state: destroy it, not reuse it.
          broken = toError(rollbackError);
        });
        throw error;
      }
    } finally {
      client.release(broken);
    }
  };

  let closed = false;
  const inFlight = new Set<Promise<unknown>>();
  /** Runs a call unless the store is closed; close() waits for the calls still running. */
  const call = <T>(work: () => Promise<T>): Promise<T> => {
    if (closed) return Promise.reject(new StoreClosedError());
    const promise = work();
    inFlight.add(promise);
    const forget = () => inFlight.delete(promise);
    promise.then(forget, forget);
    return promise;
  };

  const writeTags = async (txRun: Run, resourceArn: string, tags: readonly TagRecord[]): Promise<void> => {
    if (tags.length === 0) return;
    // One value per key, the last given winning (as one upsert per tag in order would).
    const byKey = new Map(tags.map((tag) => [tag.key, tag.value]));
    await txRun('upsert_tags', {
      resource_arn: resourceArn,
      tag_keys: [...byKey.keys()],
      tag_values: [...byKey.values()],
    });
  };

  /** Appends events and their deliveries in one statement, notifying the `deliveries` channel. */
  const appendBatch = async (txRun: Run, batch: ReadonlyArray<AppendItem>, now: number): Promise<void> => {
    const events = batch.map((item) => item.event);
    const deliveries = batch.flatMap((item) =>
      item.deliveries.map((delivery) => ({ ...delivery, event: item.event })),
    );
    await txRun('append_events', {
      event_ids: events.map((e) => e.id),
      event_bus_names: events.map((e) => e.busName),
      envelopes: events.map((e) => e.envelope),
      ingested_ats: events.map((e) => e.ingestedAt),
      delivery_ids: deliveries.map((d) => d.id),
      delivery_event_ids: deliveries.map((d) => d.event.id),
      delivery_bus_names: deliveries.map((d) => d.event.busName),
      rule_names: deliveries.map((d) => d.ruleName),
      rule_arns: deliveries.map((d) => d.ruleArn),
      target_ids: deliveries.map((d) => d.targetId),
      now,
      channel: notificationChannel('deliveries', schema),
    });
    const archived = batch.flatMap((item) =>
      (item.archives ?? []).map((archiveName) => ({ archiveName, item })),
    );
    if (archived.length > 0) {
      await txRun('insert_archive_events', {
        archive_names: archived.map((a) => a.archiveName),
        event_ids: archived.map((a) => a.item.event.id),
        event_times: archived.map((a) => a.item.eventTime ?? a.item.event.ingestedAt),
        sizes: archived.map((a) => Buffer.byteLength(a.item.event.envelope, 'utf8')),
      });
    }
  };
  /**
   * Moves a bus's configuration version on, in the transaction of the write (see 0006_cluster.sql).
   * Always the transaction's first lock, so writers of one bus queue on it and never deadlock; a write
   * that ends up changing nothing still moves it on (another node's reload is then for nothing).
   */
  const bumpConfig = (txRun: Run, busName: string) =>
    txRun('bump_config_version', { bus_name: busName, channel: notificationChannel('config', schema) });
  const connectionExists = async (txRun: Run, arn: string): Promise<boolean> =>
    (await txRun('get_connection_arn', { arn })).rowCount !== 0;
  /**
   * Writes an API destination after checking its connection exists (SQLite's order of outcomes); a
   * connection deleted between the check and the write fails the foreign key: `no-connection` too.
   */
  const writeApiDestination = async <R extends string>(
    destination: ApiDestinationRecord,
    write: () => Promise<R>,
  ): Promise<R | 'no-connection'> => {
    if (!(await connectionExists(run, destination.connectionArn))) return 'no-connection';
    try {
      return await write();
    } catch (error) {
      if (isForeignKeyViolation(error)) return 'no-connection';
      throw error;
    }
  };
  /**
   * Why a task callback changed nothing, read after the refused update: a row that changed between the
   * two statements (another node closed it) reads as closed, which is what it then is.
   */
  const refusedCallback = async (tokenHash: string): Promise<TaskCallbackOutcome> => {
    const row = (await run<TaskTokenRow>('get_task_token', { token_hash: tokenHash })).rows[0];
    if (row === undefined) return 'not-found';
    return row.status === 'pending' ? 'expired' : 'closed';
  };
  /** Rate slot rows created by this store: the insert is needed once per key. */
  const rateSlotKeys = new Set<string>();

  const getQueueRow = async (txRun: Run, name: string): Promise<QueueRow | undefined> =>
    (await txRun<QueueRow>('get_queue', { name })).rows[0];
  const lockQueue = (txRun: Run, purpose: 'send' | 'receive', queueName: string) =>
    txRun(purpose === 'send' ? 'lock_queue_for_send' : 'lock_queue_for_receive', {
      key: advisoryLockKey(`busway:queue-${purpose}`, schema, queueName),
    });
  const insertMessage = async (txRun: Run, row: QueueMessageInsert): Promise<number> => {
    const result = await txRun<{ seq: number }>('insert_queue_message', row);
    return result.rows[0]!.seq;
  };
  /** Moves one message (a row locked in this transaction) to the end of `target`, visible at `now`. */
  const moveMessage = async (
    txRun: Run,
    row: QueueMessageRow,
    target: QueueRow,
    now: number,
    sourceArn: string | null,
  ): Promise<void> => {
    // Deleted first: a queue that is its own dead-letter queue would otherwise clash on (queue, id).
    await txRun('delete_queue_message', { seq: row.seq });
    await insertMessage(txRun, {
      queue_name: target.name,
      id: row.id,
      body: row.body,
      message_attributes: row.message_attributes,
      system_attributes: row.system_attributes,
      group_id: row.group_id,
      deduplication_id: row.deduplication_id,
      sent_at: row.sent_at,
      enqueued_at: target.fifo === 1 ? now : row.enqueued_at,
      visible_at: now,
      receive_count: 0,
      dead_letter_source_arn: sourceArn,
    });
  };
  /** Why a receipt token does not act on a message, or undefined when it does. */
  const checkReceipt = (
    row: QueueMessageRow | undefined,
    receiptToken: string,
    expiredAt: number | undefined,
  ): ReceiptOutcome | undefined => {
    if (row === undefined) return 'not-found';
    if (row.receipt_token === null || row.receipt_token !== receiptToken) return 'stale';
    if (expiredAt !== undefined && row.visible_at <= expiredAt) return 'expired';
    return undefined;
  };

  const sendQueueMessages = (
    queueName: string,
    messages: readonly NewQueueMessage[],
    options: SendQueueMessagesOptions,
  ) =>
    transaction(async (txRun) => {
      const queue = await getQueueRow(txRun, queueName);
      if (queue === undefined) {
        throw new StoreError(
          'STORE_QUEUE_MISSING',
          `Cannot send messages to queue ${queueName}: it does not exist.`,
        );
      }
      const { now, deduplication } = options;
      // See lock_queue_for_send.sql: deduplication decided here holds across processes.
      if (queue.fifo === 1 || deduplication !== undefined) await lockQueue(txRun, 'send', queueName);
      const sent: SentQueueMessage[] = [];
      for (const message of messages) {
        const key =
          deduplication === undefined || message.deduplicationId === undefined
            ? undefined
            : {
                queue_name: queueName,
                scope_key: deduplication.scope === 'message-group' ? (message.groupId ?? '') : '',
                deduplication_id: message.deduplicationId,
              };
        if (key !== undefined) {
          const first = (await txRun<DeduplicationRow>('get_queue_deduplication', { ...key, now })).rows[0];
          if (first !== undefined) {
            sent.push({ id: first.message_id, seq: first.seq, duplicate: true });
            continue;
          }
        }
        const seq = await insertMessage(txRun, {
          queue_name: queueName,
          id: message.id,
          body: message.body,
          message_attributes: toJson(message.messageAttributes),
          system_attributes: toJson(message.systemAttributes),
          group_id: message.groupId ?? null,
          deduplication_id: message.deduplicationId ?? null,
          sent_at: now,
          enqueued_at: now,
          visible_at: message.visibleAt,
          receive_count: 0,
          dead_letter_source_arn: null,
        });
        if (key !== undefined && deduplication !== undefined) {
          await txRun('upsert_queue_deduplication', {
            ...key,
            message_id: message.id,
            seq,
            expires_at: now + deduplication.windowMs,
          });
        }
        sent.push({ id: message.id, seq, duplicate: false });
      }
      return sent;
    });

  const receiveQueueMessages = (queueName: string, request: ReceiveQueueMessagesRequest) =>
    transaction(async (txRun): Promise<ReceivedQueueMessages> => {
      const queue = await getQueueRow(txRun, queueName);
      if (queue === undefined) return { messages: [], deadLettered: 0 };
      const fifo = queue.fifo === 1;
      // Standard queues need no lock of their own: their candidates are taken FOR UPDATE SKIP LOCKED.
      if (fifo) await lockQueue(txRun, 'receive', queueName);
      if (request.expiredBefore !== undefined) {
        await txRun('prune_queue_messages', {
          queue_name: queueName,
          enqueued_before: request.expiredBefore,
        });
      }
      const redrive = request.deadLetter;
      const target = redrive === undefined ? undefined : await getQueueRow(txRun, redrive.queueName);
      let targetLocked = false;
      const messages: QueueMessageRecord[] = [];
      let deadLettered = 0;
      // As in the SQLite store: each round fills the request or moves at least one message out, so it
      // ends; a round after a move looks again (the moved message's group may now be receivable).
      while (messages.length < request.limit) {
        const candidates = (
          await txRun<QueueMessageRow>(
            fifo ? 'list_receivable_fifo_queue_messages' : 'list_receivable_queue_messages',
            {
              queue_name: queueName,
              now: request.now,
              expired_before: request.expiredBefore ?? null,
              limit: request.limit - messages.length,
            },
          )
        ).rows;
        let moved = 0;
        for (const row of candidates) {
          if (target !== undefined && redrive !== undefined && row.receive_count >= redrive.maxReceiveCount) {
            if (target.fifo === 1 && !targetLocked) {
              await lockQueue(txRun, 'send', target.name);
              targetLocked = true;
            }
            await moveMessage(txRun, row, target, request.now, queue.arn);
            moved += 1;
            continue;
          }
          const received = (
            await txRun<QueueMessageRow>('receive_queue_message', {
              seq: row.seq,
              receipt_token: newReceiptToken(),
              now: request.now,
              visible_until: request.visibleUntil,
            })
          ).rows[0]!;
          messages.push(queueMessageFromRow(received));
        }
        deadLettered += moved;
        if (moved === 0) break;
      }
      return { messages, deadLettered };
    });

  const store: PostgresStore = {
    schema,

    // --- buses ---------------------------------------------------------------------------------------
    createBus: (bus, tags = []) =>
      call(() =>
        transaction(async (txRun) => {
          await bumpConfig(txRun, bus.name);
          if ((await txRun('insert_bus', busParams(bus))).rowCount === 0) return 'exists' as const;
          await writeTags(txRun, bus.arn, tags);
          return 'created' as const;
        }),
      ),
    getBus: (name) =>
      call(async () => {
        const row = (await run<BusRow>('get_bus', { name })).rows[0];
        return row === undefined ? undefined : busFromRow(row);
      }),
    listBuses: (namePrefix, page) =>
      call(async () => {
        checkPageLimit(page.limit);
        const { rows } = await run<BusRow>('list_buses', {
          prefix: namePrefix ?? '',
          after: decodeStringPageToken(page.nextToken) ?? '',
          limit: page.limit + 1,
        });
        return toPage(rows, page.limit, busFromRow, (row) => row.name);
      }),
    updateBus: (bus) =>
      call(() =>
        transaction(async (txRun) => {
          await bumpConfig(txRun, bus.name);
          if ((await txRun('update_bus', busParams(bus))).rowCount === 0) return 'not-found' as const;
          return 'updated' as const;
        }),
      ),
    deleteBus: (name) =>
      call(() =>
        transaction(async (txRun) => {
          await bumpConfig(txRun, name);
          await txRun('delete_bus_tags', { name });
          if ((await txRun('delete_bus', { name })).rowCount === 0) return 'not-found' as const;
          return 'deleted' as const;
        }),
      ),

    // --- rules and targets ---------------------------------------------------------------------------
    putRule: (rule, tags = []) =>
      call(() =>
        transaction(async (txRun) => {
          const params = ruleParams(rule);
          // A concurrent putRule of the same rule waits on the insert, then updates: no lost create.
          await bumpConfig(txRun, rule.busName);
          if ((await txRun('insert_rule', params)).rowCount === 1) {
            await writeTags(txRun, rule.arn, tags);
            return 'created' as const;
          }
          await txRun('update_rule', params);
          return 'updated' as const;
        }),
      ),
    getRule: (busName, name) =>
      call(async () => {
        const row = (await run<RuleRow>('get_rule', { bus_name: busName, name })).rows[0];
        return row === undefined ? undefined : ruleFromRow(row);
      }),
    listRules: (busName, namePrefix, page) =>
      call(async () => {
        checkPageLimit(page.limit);
        const { rows } = await run<RuleRow>('list_rules', {
          bus_name: busName,
          prefix: namePrefix ?? '',
          after: decodeStringPageToken(page.nextToken) ?? '',
          limit: page.limit + 1,
        });
        return toPage(rows, page.limit, ruleFromRow, (row) => row.name);
      }),
    listAllRules: () => call(async () => (await run<RuleRow>('list_all_rules')).rows.map(ruleFromRow)),
    countRules: (busName) =>
      call(async () => (await run<{ count: number }>('count_rules', { bus_name: busName })).rows[0]!.count),
    deleteRule: (busName, name) =>
      call(() =>
        transaction(async (txRun) => {
          await bumpConfig(txRun, busName);
          await txRun('delete_rule_tags', { bus_name: busName, name });
          if ((await txRun('delete_rule', { bus_name: busName, name })).rowCount === 0) {
            return 'not-found' as const;
          }
          return 'deleted' as const;
        }),
      ),
    putTargets: (busName, ruleName, targets) =>
      call(() =>
        transaction(async (txRun) => {
          if (targets.length > 0) await bumpConfig(txRun, busName);
          for (const target of targets) await txRun('upsert_target', targetParams(busName, ruleName, target));
        }),
      ),
    removeTargets: (busName, ruleName, ids) =>
      call(async () => {
        const unique = [...new Set(ids)];
        if (unique.length === 0) return [];
        return transaction(async (txRun) => {
          await bumpConfig(txRun, busName);
          const { rows } = await txRun<{ id: string }>('delete_targets', {
            bus_name: busName,
            rule_name: ruleName,
            ids: unique,
          });
          const removed = new Set(rows.map((row) => row.id));
          return unique.filter((id) => removed.has(id));
        });
      }),
    listTargets: (busName, ruleName, page) =>
      call(async () => {
        checkPageLimit(page.limit);
        const { rows } = await run<TargetRow>('list_targets', {
          bus_name: busName,
          rule_name: ruleName,
          after: decodeStringPageToken(page.nextToken) ?? '',
          limit: page.limit + 1,
        });
        return toPage(rows, page.limit, targetFromRow, (row) => row.id);
      }),
    getTargets: (busName, ruleName) =>
      call(async () =>
        (await run<TargetRow>('get_targets', { bus_name: busName, rule_name: ruleName })).rows.map(
          targetFromRow,
        ),
      ),
    listRuleNamesByTarget: (busName, targetArn, page) =>
      call(async () => {
        checkPageLimit(page.limit);
        const { rows } = await run<{ rule_name: string }>('list_rule_names_by_target', {
          bus_name: busName,
          arn: targetArn,
          after: decodeStringPageToken(page.nextToken) ?? '',
          limit: page.limit + 1,
        });
        return toPage(
          rows,
          page.limit,
          (row) => row.rule_name,
          (row) => row.rule_name,
        );
      }),

    // --- tags ----------------------------------------------------------------------------------------
    getTags: (resourceArn) =>
      call(async () => {
        const { rows } = await run<{ tag_key: string; tag_value: string }>('get_tags', {
          resource_arn: resourceArn,
        });
        return rows.map((row) => ({ key: row.tag_key, value: row.tag_value }));
      }),
    tagResource: (resourceArn, tags) => call(() => writeTags(run, resourceArn, tags)),
    untagResource: (resourceArn, keys) =>
      call(async () => {
        if (keys.length > 0) await run('delete_tags', { resource_arn: resourceArn, tag_keys: [...keys] });
      }),

    // --- access keys ---------------------------------------------------------------------------------
    createAccessKey: (key) =>
      call(async () => {
        const result = await run('insert_access_key', {
          access_key_id: key.accessKeyId,
          secret_ciphertext: key.secretCiphertext,
          description: key.description ?? null,
          created_at: key.createdAt,
        });
        return result.rowCount === 0 ? 'exists' : 'created';
      }),
    getAccessKey: (accessKeyId) =>
      call(async () => {
        const row = (await run<AccessKeyRow>('get_access_key', { access_key_id: accessKeyId })).rows[0];
        return row === undefined ? undefined : accessKeyFromRow(row);
      }),
    listAccessKeys: () =>
      call(async () => (await run<AccessKeyRow>('list_access_keys')).rows.map(accessKeyFromRow)),
    deleteAccessKey: (accessKeyId) =>
      call(async () =>
        (await run('delete_access_key', { access_key_id: accessKeyId })).rowCount === 0
          ? 'not-found'
          : 'deleted',
      ),

    // --- events and deliveries -----------------------------------------------------------------------
    // No group commit as in the SQLite store: concurrent calls commit in parallel on the pool's
    // connections, and PostgreSQL's own group commit (commit_delay, WAL flush batching) shares syncs.
    appendEvents: (batch, now) =>
      call(async () => {
        if (batch.length === 0) return;
        // One statement when nothing is archived; with archive rows, a transaction around both.
        if (batch.some((item) => (item.archives?.length ?? 0) > 0)) {
          await transaction((txRun) => appendBatch(txRun, batch, now));
        } else {
          await appendBatch(run, batch, now);
        }
      }),
    getEvent: (id) =>
      call(async () => {
        const row = (await run<EventRow>('get_event', { id })).rows[0];
        return row === undefined
          ? undefined
          : { id: row.id, busName: row.bus_name, envelope: row.envelope, ingestedAt: row.ingested_at };
      }),
    claimDueDeliveries: (owner, now, leaseMs, limit) =>
      call(async () => {
        if (limit < 1) return [];
        const { rows } = await run<DeliveryRow>('claim_due_deliveries', {
          owner,
          now,
          lease_expires_at: now + leaseMs,
          limit,
        });
        rows.sort((a, b) => a.due_at - b.due_at || a.seq - b.seq);
        return rows.map(deliveryFromRow);
      }),
    getDelivery: (id) =>
      call(async () => {
        const row = (await run<DeliveryRow>('get_delivery', { id })).rows[0];
        return row === undefined ? undefined : deliveryFromRow(row);
      }),
    listDeliveries: (filter, page) =>
      call(async () => {
        checkPageLimit(page.limit);
        const params = {
          event_id: filter.eventId ?? null,
          status: filter.status ?? null,
          bus_name: filter.busName ?? null,
          rule_name: filter.ruleName ?? null,
          target_id: filter.targetId ?? null,
          after: decodeNumberPageToken(page.nextToken) ?? 0,
          limit: page.limit + 1,
        };
        // The narrowest index first, as the SQLite store chooses (see there).
        const query =
          filter.eventId !== undefined
            ? 'list_deliveries_by_event'
            : filter.status !== undefined && filter.status !== 'delivered'
              ? 'list_deliveries_by_status'
              : filter.busName !== undefined && filter.ruleName !== undefined
                ? 'list_deliveries_by_rule'
                : filter.status !== undefined
                  ? 'list_deliveries_by_status'
                  : 'list_deliveries';
        const { rows } = await run<DeliveryRow>(query, params);
        return toPage(rows, page.limit, deliveryFromRow, (row) => row.seq);
      }),
    recordAttempt: (owner, attempt, next, now) =>
      call(async () => {
        const { rows } = await run<{ advanced: number }>('record_attempt', {
          id: attempt.deliveryId,
          owner,
          status: next.status,
          due_at: next.status === 'pending' ? next.retryAt : null,
          error: next.status === 'delivered' ? null : next.error,
          now,
          attempt: attempt.attempt,
          started_at: attempt.startedAt,
          duration_ms: attempt.durationMs,
          outcome: attempt.outcome,
          status_code: attempt.statusCode ?? null,
          attempt_error: attempt.error ?? null,
          response_excerpt: attempt.responseExcerpt ?? null,
        });
        return rows[0]!.advanced === 1 ? 'recorded' : 'lease-lost';
      }),
    releaseDeliveries: (owner, now) =>
      call(async () => (await run('release_deliveries', { owner, now })).rowCount ?? 0),
    countDueDeliveries: (now, atMost) =>
      call(async () =>
        atMost < 1
          ? 0
          : (await run<{ n: number }>('count_due_deliveries', { now, limit: atMost })).rows[0]!.n,
      ),
    listLeaseOwners: () =>
      call(async () =>
        (await run<{ lease_owner: string }>('list_lease_owners')).rows.map((row) => row.lease_owner),
      ),
    deferDelivery: (owner, id, dueAt, now) =>
      call(async () =>
        (await run('defer_delivery', { id, owner, due_at: dueAt, now })).rowCount === 1
          ? 'deferred'
          : 'lease-lost',
      ),
    getNextDeliveryDue: () =>
      call(
        async () =>
          (await run<{ due_at: number | null }>('get_next_delivery_due')).rows[0]?.due_at ?? undefined,
      ),
    fireSchedule: (ruleArn, tickAt, entry, now) =>
      call(() =>
        // One transaction: the tick is claimed (the row stays locked) and its event written together, so
        // another node either waits and sees the tick taken, or the claim rolls back with the append.
        transaction(async (txRun) => {
          if ((await txRun('upsert_schedule_tick', { rule_arn: ruleArn, tick_at: tickAt })).rowCount === 0) {
            return 'already-fired' as const;
          }
          await appendBatch(txRun, [entry], now);
          return 'fired' as const;
        }),
      ),
    pruneEvents: (before, window) =>
      call(async () => {
        const params = { before, after: window.afterSeq, limit: window.limit };
        const found = (await run<{ last_seq: number | null; recent: number }>('get_prune_window', params))
          .rows[0]!;
        const deleted = found.last_seq === null ? 0 : ((await run('prune_events', params)).rowCount ?? 0);
        return {
          deleted,
          ...(found.last_seq !== null && { lastSeq: found.last_seq }),
          done: found.last_seq === null || found.recent > 0,
        };
      }),
    listAttempts: (deliveryId) =>
      call(async () =>
        (await run<AttemptRow>('list_attempts', { delivery_id: deliveryId })).rows.map(attemptFromRow),
      ),

    // --- queues and messages -------------------------------------------------------------------------
    createQueue: (queue, tags = []) =>
      call(() =>
        transaction(async (txRun) => {
          if ((await txRun('insert_queue', queueParams(queue))).rowCount === 0) return 'exists' as const;
          await writeTags(txRun, queue.arn, tags);
          return 'created' as const;
        }),
      ),
    getQueue: (name) =>
      call(async () => {
        const row = await getQueueRow(run, name);
        return row === undefined ? undefined : queueFromRow(row);
      }),
    listQueues: (namePrefix, page) =>
      call(async () => {
        checkPageLimit(page.limit);
        const { rows } = await run<QueueRow>('list_queues', {
          prefix: namePrefix ?? '',
          after: decodeStringPageToken(page.nextToken) ?? '',
          limit: page.limit + 1,
        });
        return toPage(rows, page.limit, queueFromRow, (row) => row.name);
      }),
    updateQueue: (queue) =>
      call(async () => {
        const result = await run('update_queue', {
          name: queue.name,
          attributes: JSON.stringify(queue.attributes),
          updated_at: queue.updatedAt,
        });
        return result.rowCount === 0 ? 'not-found' : 'updated';
      }),
    deleteQueue: (name) =>
      call(() =>
        transaction(async (txRun) => {
          await txRun('delete_queue_tags', { name });
          return (await txRun('delete_queue', { name })).rowCount === 0
            ? ('not-found' as const)
            : ('deleted' as const);
        }),
      ),
    sendQueueMessages: (queueName, messages, options) =>
      call(async () => (messages.length === 0 ? [] : sendQueueMessages(queueName, messages, options))),
    receiveQueueMessages: (queueName, request) =>
      call(async () => {
        checkPageLimit(request.limit);
        return receiveQueueMessages(queueName, request);
      }),
    getQueueMessage: (queueName, id) =>
      call(async () => {
        const row = (await run<QueueMessageRow>('get_queue_message', { queue_name: queueName, id })).rows[0];
        return row === undefined ? undefined : queueMessageFromRow(row);
      }),
    deleteQueueMessage: (queueName, id, receiptToken, expiredAt) =>
      call(() =>
        transaction(async (txRun) => {
          const row = (
            await txRun<QueueMessageRow>('get_queue_message_for_update', { queue_name: queueName, id })
          ).rows[0];
          const refused = checkReceipt(row, receiptToken, expiredAt);
          if (refused !== undefined || row === undefined) return refused ?? 'not-found';
          await txRun('delete_queue_message', { seq: row.seq });
          return 'deleted' as const;
        }),
      ),
    changeQueueMessageVisibility: (queueName, id, receiptToken, visibleAt, expiredAt) =>
      call(() =>
        transaction(async (txRun) => {
          const row = (
            await txRun<QueueMessageRow>('get_queue_message_for_update', { queue_name: queueName, id })
          ).rows[0];
          const refused = checkReceipt(row, receiptToken, expiredAt);
          if (refused !== undefined || row === undefined) return refused ?? 'not-found';
          await txRun('update_queue_message_visibility', { seq: row.seq, visible_at: visibleAt });
          return 'changed' as const;
        }),
      ),
    purgeQueue: (queueName) =>
      call(async () => (await run('purge_queue_messages', { queue_name: queueName })).rowCount ?? 0),
    countQueueMessages: (queueName, now) =>
      call(async () => {
        const row = (
          await run<{ visible: number; in_flight: number; delayed: number }>('count_queue_messages', {
            queue_name: queueName,
            now,
          })
        ).rows[0]!;
        return { visible: row.visible, inFlight: row.in_flight, delayed: row.delayed };
      }),
    getNextVisibleAt: (queueName, now) =>
      call(async () => {
        const row = (
          await run<{ visible_at: number | null }>('get_next_visible_at', { queue_name: queueName, now })
        ).rows[0];
        return row?.visible_at ?? undefined;
      }),
    moveQueueMessages: (from, to, options) =>
      call(async () => {
        checkPageLimit(options.limit);
        return transaction(async (txRun) => {
          const { rows } = await txRun<QueueMessageRow>('list_movable_queue_messages', {
            queue_name: from,
            now: options.now,
            limit: options.limit,
          });
          if (rows.length === 0) return 0;
          const target = await getQueueRow(txRun, to);
          if (target === undefined) {
            throw new StoreError(
              'STORE_QUEUE_MISSING',
              `Cannot move messages to queue ${to}: it does not exist.`,
            );
          }
          if (target.fifo === 1) await lockQueue(txRun, 'send', to);
          for (const row of rows) await moveMessage(txRun, row, target, options.now, null);
          return rows.length;
        });
      }),
    pruneQueue: (queueName, options) =>
      call(() =>
        transaction(async (txRun) => {
          await txRun('prune_queue_deduplication', { queue_name: queueName, now: options.now });
          const result = await txRun('prune_queue_messages', {
            queue_name: queueName,
            enqueued_before: options.enqueuedBefore,
          });
          return result.rowCount ?? 0;
        }),
      ),

    // --- connections and API destinations ----------------------------------------------------------
    createConnection: (connection) =>
      call(async () =>
        (await run('insert_connection', connectionParams(connection))).rowCount === 0 ? 'exists' : 'created',
      ),
    getConnection: (name) =>
      call(async () => {
        const row = (await run<ConnectionRow>('get_connection', { name })).rows[0];
        return row === undefined ? undefined : connectionFromRow(row);
      }),
    listConnections: (filter, page) =>
      call(async () => {
        checkPageLimit(page.limit);
        const { rows } = await run<ConnectionRow>('list_connections', {
          prefix: filter.namePrefix ?? '',
          state: filter.state ?? null,
          after: decodeStringPageToken(page.nextToken) ?? '',
          limit: page.limit + 1,
        });
        return toPage(rows, page.limit, connectionFromRow, (row) => row.name);
      }),
    updateConnection: (connection, condition) =>
      call(async () => {
        const result = await run('update_connection', {
          ...connectionParams(connection),
          if_state: condition?.state ?? null,
          if_updated_at: condition?.updatedAt ?? null,
        });
        if (result.rowCount === 1) return 'updated';
        return (await run('get_connection', { name: connection.name })).rowCount === 0
          ? 'not-found'
          : 'changed';
      }),
    deleteConnection: (name) =>
      call(() =>
        transaction(async (txRun) => {
          // Locked: an API destination created through it meanwhile waits for this transaction (its
          // foreign key check takes a share lock on the row), then fails as `no-connection`.
          const row = (await txRun<{ arn: string }>('get_connection_for_update', { name })).rows[0];
          if (row === undefined) return 'not-found' as const;
          const { count } = (
            await txRun<{ count: number }>('count_api_destinations_by_connection', {
              connection_arn: row.arn,
            })
          ).rows[0]!;
          if (count > 0) return 'in-use' as const;
          await txRun('delete_connection', { name });
          return 'deleted' as const;
        }),
      ),
    createApiDestination: (destination) =>
      call(() =>
        writeApiDestination(destination, async () =>
          (await run('insert_api_destination', apiDestinationParams(destination))).rowCount === 0
            ? 'exists'
            : 'created',
        ),
      ),
    getApiDestination: (name) =>
      call(async () => {
        const row = (await run<ApiDestinationRow>('get_api_destination', { name })).rows[0];
        return row === undefined ? undefined : apiDestinationFromRow(row);
      }),
    listApiDestinations: (filter, page) =>
      call(async () => {
        checkPageLimit(page.limit);
        const { rows } = await run<ApiDestinationRow>('list_api_destinations', {
          prefix: filter.namePrefix ?? '',
          connection_arn: filter.connectionArn ?? null,
          after: decodeStringPageToken(page.nextToken) ?? '',
          limit: page.limit + 1,
        });
        return toPage(rows, page.limit, apiDestinationFromRow, (row) => row.name);
      }),
    updateApiDestination: (destination) =>
      call(() =>
        writeApiDestination(destination, async () =>
          (await run('update_api_destination', apiDestinationParams(destination))).rowCount === 0
            ? 'not-found'
            : 'updated',
        ),
      ),
    deleteApiDestination: (name) =>
      call(async () =>
        (await run('delete_api_destination', { name })).rowCount === 0 ? 'not-found' : 'deleted',
      ),

    // --- inbound endpoints ---------------------------------------------------------------------------
    createInboundEndpoint: (endpoint) =>
      call(async () =>
        (await run('insert_inbound_endpoint', inboundEndpointParams(endpoint))).rowCount === 0
          ? 'exists'
          : 'created',
      ),
    getInboundEndpoint: (kind, id) =>
      call(async () => {
        const row = (await run<InboundEndpointRow>('get_inbound_endpoint', { kind, id })).rows[0];
        return row === undefined ? undefined : inboundEndpointFromRow(row);
      }),
    listInboundEndpoints: (kind, page) =>
      call(async () => {
        checkPageLimit(page.limit);
        const { rows } = await run<InboundEndpointRow>('list_inbound_endpoints', {
          kind,
          after: decodeStringPageToken(page.nextToken) ?? '',
          limit: page.limit + 1,
        });
        return toPage(rows, page.limit, inboundEndpointFromRow, (row) => row.id);
      }),
    updateInboundEndpoint: (endpoint) =>
      call(async () =>
        (await run('update_inbound_endpoint', inboundEndpointParams(endpoint))).rowCount === 0
          ? 'not-found'
          : 'updated',
      ),
    deleteInboundEndpoint: (kind, id) =>
      call(async () =>
        (await run('delete_inbound_endpoint', { kind, id })).rowCount === 0 ? 'not-found' : 'deleted',
      ),

    // --- archives, replays, sinks --------------------------------------------------------------------
    // Archives take part in routing (each node matches events against its buses' archives), so their
    // writes move the bus's configuration version on, as rule writes do.
    createArchive: (archive) =>
      call(() =>
        transaction(async (txRun) => {
          await bumpConfig(txRun, archive.busName);
          return (await txRun('insert_archive', archiveParams(archive))).rowCount === 0
            ? ('exists' as const)
            : ('created' as const);
        }),
      ),
    getArchive: (name) =>
      call(async () => {
        const row = (await run<ArchiveRow>('get_archive', { name })).rows[0];
        return row === undefined ? undefined : archiveFromRow(row);
      }),
    listArchives: (filter, page) =>
      call(async () => {
        checkPageLimit(page.limit);
        const { rows } = await run<ArchiveRow>('list_archives', {
          prefix: filter.namePrefix ?? '',
          bus_name: filter.busName ?? null,
          state: filter.state ?? null,
          after: decodeStringPageToken(page.nextToken) ?? '',
          limit: page.limit + 1,
        });
        return toPage(rows, page.limit, archiveFromRow, (row) => row.name);
      }),
    listAllArchives: () =>
      call(async () => (await run<ArchiveRow>('list_all_archives')).rows.map(archiveFromRow)),
    updateArchive: (archive) =>
      call(() =>
        transaction(async (txRun) => {
          await bumpConfig(txRun, archive.busName);
          return (await txRun('update_archive', archiveParams(archive))).rowCount === 0
            ? ('not-found' as const)
            : ('updated' as const);
        }),
      ),
    deleteArchive: (name) =>
      call(() =>
        transaction(async (txRun) => {
          const row = (await txRun<ArchiveRow>('get_archive', { name })).rows[0];
          if (row === undefined) return 'not-found' as const;
          await bumpConfig(txRun, row.bus_name);
          return (await txRun('delete_archive', { name })).rowCount === 0
            ? ('not-found' as const)
            : ('deleted' as const);
        }),
      ),
    getArchiveStats: (name) =>
      call(async () => {
        const row = (
          await run<{ event_count: number; size_bytes: number }>('get_archive_stats', { archive_name: name })
        ).rows[0]!;
        return { eventCount: row.event_count, sizeBytes: row.size_bytes };
      }),
    countArchivedEvents: (name, window) =>
      call(
        async () =>
          (
            await run<{ event_count: number }>('count_archived_events', {
              archive_name: name,
              from_time: window.from,
              to_time: window.to,
            })
          ).rows[0]!.event_count,
      ),
    listArchivedEvents: (name, window, after, limit) =>
      call(async () => {
        checkPageLimit(limit);
        const { rows } = await run<EventRow & { seq: number; event_time: number }>('list_archived_events', {
          archive_name: name,
          from_time: window.from,
          to_time: window.to,
          after_time: after?.eventTime ?? Number.MIN_SAFE_INTEGER,
          after_seq: after?.seq ?? 0,
          limit,
        });
        return rows.map((row) => ({
          seq: row.seq,
          eventTime: row.event_time,
          event: { id: row.id, busName: row.bus_name, envelope: row.envelope, ingestedAt: row.ingested_at },
        }));
      }),
    pruneArchive: (name, before) =>
      call(async () => (await run('prune_archive_events', { archive_name: name, before })).rowCount ?? 0),
    createReplay: (replay) =>
      call(async () =>
        (
          await run('insert_replay', {
            name: replay.name,
            arn: replay.arn,
            description: replay.description ?? null,
            archive_name: replay.archiveName,
            event_source_arn: replay.eventSourceArn,
            destination_arn: replay.destinationArn,
            filter_arns: toJson(replay.filterArns),
            event_start_time: replay.eventStartTime,
            event_end_time: replay.eventEndTime,
            state: 'STARTING',
            replay_start_time: replay.replayStartTime,
            events_total: replay.eventsTotal ?? null,
          })
        ).rowCount === 0
          ? 'exists'
          : 'created',
      ),
    getReplay: (name) =>
      call(async () => {
        const row = (await run<ReplayRow>('get_replay', { name })).rows[0];
        return row === undefined ? undefined : replayFromRow(row);
      }),
    listReplays: (filter, page) =>
      call(async () => {
        checkPageLimit(page.limit);
        const { rows } = await run<ReplayRow>('list_replays', {
          prefix: filter.namePrefix ?? '',
          state: filter.state ?? null,
          event_source_arn: filter.eventSourceArn ?? null,
          after: decodeStringPageToken(page.nextToken) ?? '',
          limit: page.limit + 1,
        });
        return toPage(rows, page.limit, replayFromRow, (row) => row.name);
      }),
    listActiveReplays: () =>
      call(async () => (await run<ReplayRow>('list_active_replays')).rows.map(replayFromRow)),
    countActiveReplays: () =>
      call(async () => (await run<{ active: number }>('count_active_replays')).rows[0]!.active),
    leaseReplay: (name, owner, now, leaseMs) =>
      call(async () =>
        (await run('lease_replay', { name, owner, now, lease_expires_at: now + leaseMs })).rowCount === 1
          ? 'held'
          : 'taken',
      ),
    recordReplayProgress: (name, progress) =>
      call(async () =>
        (
          await run('update_replay_progress', {
            name,
            cursor_time: progress.cursor.eventTime,
            cursor_seq: progress.cursor.seq,
            event_last_replayed_time: progress.eventLastReplayedTime,
            events_replayed: progress.eventsReplayed,
          })
        ).rowCount === 0
          ? 'not-running'
          : 'recorded',
      ),
    setReplayState: (name, change, from) =>
      call(async () => {
        const result = await run('update_replay_state', {
          name,
          state: change.state,
          state_reason: change.stateReason ?? null,
          replay_end_time: change.replayEndTime ?? null,
          from_states: [...from],
        });
        if (result.rowCount === 1) return 'updated';
        return (await run('get_replay', { name })).rowCount === 0 ? 'not-found' : 'conflict';
      }),
    createSink: (sink) =>
      call(async () =>
        (
          await run('insert_sink', {
            name: sink.name,
            arn: sink.arn,
            settings: JSON.stringify(sink.settings),
            created_at: sink.createdAt,
            updated_at: sink.updatedAt,
          })
        ).rowCount === 0
          ? 'exists'
          : 'created',
      ),
    getSink: (name) =>
      call(async () => {
        const row = (await run<SinkRow>('get_sink', { name })).rows[0];
        return row === undefined ? undefined : sinkFromRow(row);
      }),
    listSinks: (page) =>
      call(async () => {
        checkPageLimit(page.limit);
        const { rows } = await run<SinkRow>('list_sinks', {
          after: decodeStringPageToken(page.nextToken) ?? '',
          limit: page.limit + 1,
        });
        return toPage(rows, page.limit, sinkFromRow, (row) => row.name);
      }),
    deleteSink: (name) =>
      call(async () => ((await run('delete_sink', { name })).rowCount === 0 ? 'not-found' : 'deleted')),

    // --- task tokens ---------------------------------------------------------------------------------
    createTaskToken: (task) =>
      call(async () =>
        (
          await run('insert_task_token', {
            token_hash: task.tokenHash,
            created_at: task.createdAt,
            timeout_at: task.timeoutAt,
            heartbeat_ms: task.heartbeatMs ?? null,
            heartbeat_deadline: task.heartbeatDeadline ?? null,
          })
        ).rowCount === 0
          ? 'exists'
          : 'created',
      ),
    getTaskToken: (tokenHash) =>
      call(async () => {
        const row = (await run<TaskTokenRow>('get_task_token', { token_hash: tokenHash })).rows[0];
        return row === undefined ? undefined : taskTokenFromRow(row);
      }),
    completeTaskToken: (tokenHash, completion, now) =>
      call(async () => {
        const result = await run('complete_task_token', {
          token_hash: tokenHash,
          status: completion.status,
          output: completion.status === 'succeeded' ? completion.output : null,
          error: completion.status === 'failed' ? (completion.error ?? null) : null,
          cause: completion.status === 'failed' ? (completion.cause ?? null) : null,
          now,
        });
        return result.rowCount === 1 ? ('completed' as const) : refusedCallback(tokenHash);
      }),
    heartbeatTaskToken: (tokenHash, now) =>
      call(async () =>
        (await run('extend_task_heartbeat', { token_hash: tokenHash, now })).rowCount === 1
          ? ('extended' as const)
          : refusedCallback(tokenHash),
      ),
    expireTaskToken: (tokenHash, timeout, now) =>
      call(
        async () =>
          (
            await run('expire_task_token', {
              token_hash: tokenHash,
              error: timeout.error,
              cause: timeout.cause,
              now,
            })
          ).rowCount === 1,
      ),
    pruneTaskTokens: (before) => call(async () => (await run('prune_task_tokens', { before })).rowCount ?? 0),

    // --- sharing between nodes -----------------------------------------------------------------------
    getConfigVersions: () =>
      call(async () => {
        const { rows } = await run<{ bus_name: string; version: number }>('list_config_versions');
        return new Map(rows.map((row) => [row.bus_name, row.version]));
      }),
    reserveRateSlot: (key, intervalMs, maxWaitMs) =>
      call(async () => {
        if (!rateSlotKeys.has(key)) {
          await run('insert_rate_slot', { key });
          rateSlotKeys.add(key);
        }
        const row = (
          await run<{ wait_ms: number; taken: boolean }>('reserve_rate_slot', {
            key,
            interval_ms: intervalMs,
            max_wait_ms: maxWaitMs,
          })
        ).rows[0]!;
        return { taken: row.taken, waitMs: Math.max(0, row.wait_ms) };
      }),

    // --- notifications -------------------------------------------------------------------------------
    subscribe: (channel, listener) =>
      call(() => hub.subscribe(notificationChannel(channel, schema), listener)),
    notify: (channel, payload) =>
      call(async () => {
        await run('notify', { channel: notificationChannel(channel, schema), payload });
      }),

    async close() {
      if (closed) return;
      closed = true;
      // Calls already accepted finish (an append's caller is waiting on it) before the pool ends.
      await Promise.allSettled([...inFlight]);
      await hub.close();
      await pool.end();
    },
  };
  return store;
}
