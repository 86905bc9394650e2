import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

import Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';

import { StoreClosedError, StoreError, toError } from '../errors.js';
import {
  checkPageLimit,
  decodeNumberPageToken,
  decodeStringPageToken,
  encodePageToken,
} from '../page-token.js';
import type {
  AccessKeyRecord,
  ApiDestinationRecord,
  ConnectionRecord,
  AppendItem,
  ArchiveRecord,
  AttemptRecord,
  DeliveryRecord,
  DeliveryStatus,
  EventBusRecord,
  EventRecord,
  InboundEndpointKind,
  InboundEndpointRecord,
  NewDelivery,
  NewQueueMessage,
  Page,
  QueueMessageAttribute,
  QueueMessageRecord,
  QueueRecord,
  ReceiptOutcome,
  ReceiveQueueMessagesRequest,
  ReceivedQueueMessages,
  RuleRecord,
  RuleState,
  SendQueueMessagesOptions,
  SentQueueMessage,
  ReplayRecord,
  ReplayState,
  SinkRecord,
  Store,
  TagRecord,
  TargetRecord,
  TaskCallbackOutcome,
  TaskStatus,
  TaskTokenRecord,
} from '../store.js';
import { migrate, readMigrations } from './migrate.js';
import type { Migration } from './migrate.js';

export interface SqliteStoreOptions {
  /** The database file (created if absent), or `:memory:` for a private in-memory database. */
  path: string;
  /**
   * `full` (default): each commit syncs the write-ahead log, so an acknowledged event survives a power
   * cut. `normal`: the log is synced only at checkpoints; a power cut (not a crash of the process) can
   * lose the last commits, never corrupt the file. Measured on an ext4 VM disk (fsync ~0.2 ms) with
   * 10-event calls of 2 deliveries each: 1.5-2.5k calls/s full vs 3.5-3.8k normal one call at a time;
   * 4.9-5.4k vs 5.5-5.7k with 64 concurrent callers, where group commit already shares the sync.
   */
  synchronous?: 'full' | 'normal';
}

/** Counters exposed to tests and benchmarks only (not part of Store). */
export interface SqliteStoreStats {
  /** appendEvents calls written (or failed) so far. */
  appendCalls: number;
  /** Transactions those calls were written in: fewer than the calls when group commit merged them. */
  appendTransactions: number;
}

/** The SQLite store: the Store interface plus counters for tests. */
export interface SqliteStore extends Store {
  stats(): SqliteStoreStats;
}

/**
 * How long a statement waits for another process's write lock (the CLI managing keys while the server
 * runs) before failing with SQLITE_BUSY. Writes here take milliseconds, so 5 s means something is wrong.
 */
const BUSY_TIMEOUT_MS = 5000;

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
  'delete_target',
  'list_targets',
  'get_targets',
  'list_rule_names_by_target',
  'get_tags',
  'upsert_tag',
  'delete_tag',
  'insert_access_key',
  'get_access_key',
  'list_access_keys',
  'delete_access_key',
  'insert_inbound_endpoint',
  'get_inbound_endpoint',
  'list_inbound_endpoints',
  'update_inbound_endpoint',
  'delete_inbound_endpoint',
  'insert_event',
  'insert_delivery',
  'get_event',
  'claim_due_deliveries',
  'get_delivery',
  'list_deliveries',
  'list_deliveries_by_event',
  'list_deliveries_by_rule',
  'list_deliveries_by_status',
  'insert_attempt',
  'advance_delivery',
  'release_deliveries',
  'list_lease_owners',
  'defer_delivery',
  'get_next_delivery_due',
  'count_due_deliveries',
  'upsert_schedule_tick',
  'prune_events',
  'get_prune_window',
  'list_attempts',
  'insert_queue',
  'get_queue',
  'list_queues',
  'update_queue',
  'delete_queue_tags',
  'delete_queue',
  'insert_queue_message',
  'get_queue_deduplication',
  'upsert_queue_deduplication',
  'list_receivable_queue_messages',
  'list_receivable_fifo_queue_messages',
  'receive_queue_message',
  'get_queue_message',
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
  'list_connections',
  'update_connection',
  'delete_connection',
  'count_api_destinations_by_connection',
  'get_connection_arn',
  'insert_api_destination',
  'get_api_destination',
  'list_api_destinations',
  'update_api_destination',
  'delete_api_destination',
  'insert_archive',
  'get_archive',
  'list_archives',
  'list_all_archives',
  'update_archive',
  'delete_archive',
  'insert_archive_event',
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
let cachedQueries: Map<QueryName, string> | undefined;

function readQueries(): Map<QueryName, string> {
  if (cachedQueries === undefined) {
    const queries = new Map<QueryName, string>();
    for (const name of QUERY_NAMES) {
      try {
        queries.set(name, readFileSync(new URL(`${name}.sql`, QUERIES_DIR), 'utf8'));
      } catch (error) {
        throw new StoreError(
          'STORE_QUERY_MISSING',
          `Cannot read the SQLite query ${name}.sql in ${QUERIES_DIR.pathname}: a build must copy ` +
            `src/**/*.sql to dist/ (scripts/copy-assets.mjs).`,
          { cause: error },
        );
      }
    }
    cachedQueries = queries;
  }
  return cachedQueries;
}

/**
 * Opens (creating if needed) and migrates a SQLite database, and returns the store over it. Throws
 * SchemaTooNewError, untouched, for a database from a newer Busway.
 */
export function createSqliteStore(options: SqliteStoreOptions): SqliteStore {
  cachedMigrations ??= readMigrations();
  const queries = readQueries();
  const db = new Database(options.path, { timeout: BUSY_TIMEOUT_MS });
  try {
    // WAL: readers never block the writer and a commit appends to one file. These pragmas cannot run
    // inside a transaction, so they come before the migrations.
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    db.pragma('foreign_keys = ON');
    migrate(db, cachedMigrations, options.path === ':memory:' ? '(in memory)' : options.path);
    return openStore(db, queries);
  } catch (error) {
    db.close();
    throw error;
  }
}

type AppendBatch = ReadonlyArray<AppendItem>;

/** A write waiting for the next group commit: run inside the group's transaction, in its own savepoint. */
interface PendingWrite {
  /** Appends are counted in the stats (the group-commit tests read them). */
  append: boolean;
  write: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

function openStore(db: Database.Database, queries: Map<QueryName, string>): SqliteStore {
  // Prepared once at open (parsing and planning happen here), so each call only binds and steps.
  const sql = {} as Record<QueryName, Statement>;
  for (const [name, text] of queries) sql[name] = db.prepare(text);

  // Multi-statement writes are IMMEDIATE transactions: they take the write lock up front, waiting
  // busy_timeout for it, instead of failing with SQLITE_BUSY_SNAPSHOT when another process (the CLI)
  // wrote between their first read and first write.
  const writeTags = (resourceArn: string, tags: readonly TagRecord[]): void => {
    for (const tag of tags)
      sql.upsert_tag.run({ resource_arn: resourceArn, tag_key: tag.key, tag_value: tag.value });
  };
  const createBusTx = db.transaction((bus: EventBusRecord, tags: readonly TagRecord[]) => {
    if (sql.insert_bus.run(busParams(bus)).changes === 0) return 'exists' as const;
    writeTags(bus.arn, tags);
    return 'created' as const;
  });
  const deleteBusTx = db.transaction((name: string) => {
    sql.delete_bus_tags.run({ name });
    return sql.delete_bus.run({ name }).changes === 0 ? ('not-found' as const) : ('deleted' as const);
  });
  const putRuleTx = db.transaction((rule: RuleRecord, tags: readonly TagRecord[]) => {
    const params = ruleParams(rule);
    if (sql.insert_rule.run(params).changes === 1) {
      writeTags(rule.arn, tags);
      return 'created' as const;
    }
    // update_rule names no arn, created_by or created_at (better-sqlite3 ignores the extra keys): kept.
    sql.update_rule.run(params);
    return 'updated' as const;
  });
  const deleteRuleTx = db.transaction((busName: string, name: string) => {
    sql.delete_rule_tags.run({ bus_name: busName, name });
    return sql.delete_rule.run({ bus_name: busName, name }).changes === 0
      ? ('not-found' as const)
      : ('deleted' as const);
  });
  const putTargetsTx = db.transaction(
    (busName: string, ruleName: string, targets: readonly TargetRecord[]) => {
      for (const target of targets) sql.upsert_target.run(targetParams(busName, ruleName, target));
    },
  );
  const removeTargetsTx = db.transaction((busName: string, ruleName: string, ids: readonly string[]) => {
    const removed: string[] = [];
    for (const id of new Set(ids)) {
      if (sql.delete_target.run({ bus_name: busName, rule_name: ruleName, id }).changes === 1)
        removed.push(id);
    }
    return removed;
  });
  const tagResourceTx = db.transaction(writeTags);
  const untagResourceTx = db.transaction((resourceArn: string, keys: readonly string[]) => {
    for (const key of keys) sql.delete_tag.run({ resource_arn: resourceArn, tag_key: key });
  });
  const recordAttemptTx = db.transaction(
    (owner: string, attempt: AttemptRecord, next: Parameters<Store['recordAttempt']>[2], now: number) => {
      const moved =
        sql.advance_delivery.run({
          id: attempt.deliveryId,
          owner,
          status: next.status,
          due_at: next.status === 'pending' ? next.retryAt : null,
          error: next.status === 'delivered' ? null : next.error,
          now,
        }).changes === 1;
      sql.insert_attempt.run(attemptParams(attempt));
      return moved ? ('recorded' as const) : ('lease-lost' as const);
    },
  );

  // --- queues and messages --------------------------------------------------------------------------------
  const createQueueTx = db.transaction((queue: QueueRecord, tags: readonly TagRecord[]) => {
    if (sql.insert_queue.run(queueParams(queue)).changes === 0) return 'exists' as const;
    writeTags(queue.arn, tags);
    return 'created' as const;
  });
  const deleteQueueTx = db.transaction((name: string) => {
    sql.delete_queue_tags.run({ name });
    return sql.delete_queue.run({ name }).changes === 0 ? ('not-found' as const) : ('deleted' as const);
  });
  const insertMessage = (row: QueueMessageInsert): number =>
    (sql.insert_queue_message.get(row) as { seq: number }).seq;
  const sendQueueMessagesTx = db.transaction(
    (queueName: string, messages: readonly NewQueueMessage[], options: SendQueueMessagesOptions) => {
      const { now, deduplication } = options;
      const sent: SentQueueMessage[] = [];
      for (const message of messages) {
        // Looked up and written in this IMMEDIATE transaction, so two processes sending the same
        // deduplication id at once serialise on the write lock and the second sees the first.
        const key =
          deduplication === undefined || message.deduplicationId === undefined
            ? undefined
            : {
                queue_name: queueName,
                scope_key: deduplication.scope === 'message-group' ? (message.groupId ?? '') : '',
                deduplication_id: message.deduplicationId,
              };
        if (key !== undefined) {
          const first = sql.get_queue_deduplication.get({ ...key, now }) as DeduplicationRow | undefined;
          if (first !== undefined) {
            sent.push({ id: first.message_id, seq: first.seq, duplicate: true });
            continue;
          }
        }
        const seq = insertMessage({
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
          sql.upsert_queue_deduplication.run({
            ...key,
            message_id: message.id,
            seq,
            expires_at: now + deduplication.windowMs,
          });
        }
        sent.push({ id: message.id, seq, duplicate: false });
      }
      return sent;
    },
  );
  /** Moves one message (a row read in this transaction) to the end of `target`, visible at `now`. */
  const moveMessage = (row: QueueMessageRow, target: QueueRow, now: number, sourceArn: string | null) => {
    // Deleted first: a queue that is its own dead-letter queue would otherwise clash on (queue, id).
    sql.delete_queue_message.run({ seq: row.seq });
    insertMessage({
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
  const receiveQueueMessagesTx = db.transaction(
    (queueName: string, request: ReceiveQueueMessagesRequest): ReceivedQueueMessages => {
      const queue = sql.get_queue.get({ name: queueName }) as QueueRow | undefined;
      if (queue === undefined) return { messages: [], deadLettered: 0 };
      if (request.expiredBefore !== undefined) {
        sql.prune_queue_messages.run({ queue_name: queueName, enqueued_before: request.expiredBefore });
      }
      const list =
        queue.fifo === 1 ? sql.list_receivable_fifo_queue_messages : sql.list_receivable_queue_messages;
      const redrive = request.deadLetter;
      const target =
        redrive === undefined
          ? undefined
          : (sql.get_queue.get({ name: redrive.queueName }) as QueueRow | undefined);
      const messages: QueueMessageRecord[] = [];
      let deadLettered = 0;
      // Each round either fills the request or moves at least one message out of the queue, so it ends.
      // Moved candidates leave room for others: a round after a move looks again (in a FIFO queue the
      // next message of the moved one's group may have become receivable).
      while (messages.length < request.limit) {
        const want = request.limit - messages.length;
        const candidates = list.all({
          queue_name: queueName,
          now: request.now,
          limit: want,
        }) as QueueMessageRow[];
        let moved = 0;
        for (const row of candidates) {
          if (target !== undefined && redrive !== undefined && row.receive_count >= redrive.maxReceiveCount) {
            moveMessage(row, target, request.now, queue.arn);
            moved += 1;
            continue;
          }
          const received = sql.receive_queue_message.get({
            seq: row.seq,
            receipt_token: newReceiptToken(),
            now: request.now,
            visible_until: request.visibleUntil,
          }) as QueueMessageRow;
          messages.push(queueMessageFromRow(received));
        }
        deadLettered += moved;
        if (moved === 0) break;
      }
      return { messages, deadLettered };
    },
  );
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
  const deleteQueueMessageTx = db.transaction(
    (queueName: string, id: string, receiptToken: string, expiredAt: number | undefined) => {
      const row = sql.get_queue_message.get({ queue_name: queueName, id }) as QueueMessageRow | undefined;
      const refused = checkReceipt(row, receiptToken, expiredAt);
      if (refused !== undefined || row === undefined) return refused ?? 'not-found';
      sql.delete_queue_message.run({ seq: row.seq });
      return 'deleted' as const;
    },
  );
  const changeVisibilityTx = db.transaction(
    (
      queueName: string,
      id: string,
      receiptToken: string,
      visibleAt: number,
      expiredAt: number | undefined,
    ) => {
      const row = sql.get_queue_message.get({ queue_name: queueName, id }) as QueueMessageRow | undefined;
      const refused = checkReceipt(row, receiptToken, expiredAt);
      if (refused !== undefined || row === undefined) return refused ?? 'not-found';
      sql.update_queue_message_visibility.run({ seq: row.seq, visible_at: visibleAt });
      return 'changed' as const;
    },
  );
  const moveQueueMessagesTx = db.transaction((from: string, to: string, now: number, limit: number) => {
    const rows = sql.list_movable_queue_messages.all({ queue_name: from, now, limit }) as QueueMessageRow[];
    if (rows.length === 0) return 0;
    const target = sql.get_queue.get({ name: to }) as QueueRow | undefined;
    if (target === undefined) {
      throw new StoreError('STORE_QUEUE_MISSING', `Cannot move messages to queue ${to}: it does not exist.`);
    }
    for (const row of rows) moveMessage(row, target, now, null);
    return rows.length;
  });
  const pruneQueueTx = db.transaction((queueName: string, enqueuedBefore: number, now: number) => {
    sql.prune_queue_deduplication.run({ queue_name: queueName, now });
    return sql.prune_queue_messages.run({ queue_name: queueName, enqueued_before: enqueuedBefore }).changes;
  });

  // --- connections and API destinations ------------------------------------------------------------
  const deleteConnectionTx = db.transaction((name: string) => {
    const row = sql.get_connection.get({ name }) as ConnectionRow | undefined;
    if (row === undefined) return 'not-found' as const;
    const { count } = sql.count_api_destinations_by_connection.get({ connection_arn: row.arn }) as {
      count: number;
    };
    if (count > 0) return 'in-use' as const;
    sql.delete_connection.run({ name });
    return 'deleted' as const;
  });
  const connectionExists = (arn: string): boolean => sql.get_connection_arn.get({ arn }) !== undefined;
  const createApiDestinationTx = db.transaction((destination: ApiDestinationRecord) => {
    if (!connectionExists(destination.connectionArn)) return 'no-connection' as const;
    return sql.insert_api_destination.run(apiDestinationParams(destination)).changes === 0
      ? ('exists' as const)
      : ('created' as const);
  });
  // A refused callback is classified by reading the row in the same transaction as the update.
  const refusedCallback = (tokenHash: string): TaskCallbackOutcome => {
    const row = sql.get_task_token.get({ token_hash: tokenHash }) as TaskTokenRow | undefined;
    if (row === undefined) return 'not-found';
    return row.status === 'pending' ? 'expired' : 'closed';
  };
  const completeTaskTokenTx = db.transaction(
    (tokenHash: string, params: Record<string, string | number | null>) =>
      sql.complete_task_token.run(params).changes === 1 ? ('completed' as const) : refusedCallback(tokenHash),
  );
  const heartbeatTaskTokenTx = db.transaction((tokenHash: string, now: number) =>
    sql.extend_task_heartbeat.run({ token_hash: tokenHash, now }).changes === 1
      ? ('extended' as const)
      : refusedCallback(tokenHash),
  );
  const updateApiDestinationTx = db.transaction((destination: ApiDestinationRecord) => {
    if (!connectionExists(destination.connectionArn)) return 'no-connection' as const;
    return sql.update_api_destination.run(apiDestinationParams(destination)).changes === 0
      ? ('not-found' as const)
      : ('updated' as const);
  });
  const updateConnectionTx = db.transaction(
    (connection: ConnectionRecord, condition: { state: string; updatedAt: number } | undefined) => {
      const params = {
        ...connectionParams(connection),
        if_state: condition?.state ?? null,
        if_updated_at: condition?.updatedAt ?? null,
      };
      if (sql.update_connection.run(params).changes === 1) return 'updated' as const;
      return sql.get_connection.get({ name: connection.name }) === undefined
        ? ('not-found' as const)
        : ('changed' as const);
    },
  );
  const setReplayStateTx = db.transaction(
    (
      name: string,
      change: { state: ReplayState; stateReason?: string; replayEndTime?: number },
      from: readonly ReplayState[],
    ) => {
      const changed = sql.update_replay_state.run({
        name,
        state: change.state,
        state_reason: change.stateReason ?? null,
        replay_end_time: change.replayEndTime ?? null,
        from_states: JSON.stringify(from),
      }).changes;
      if (changed === 1) return 'updated' as const;
      return sql.get_replay.get({ name }) === undefined ? ('not-found' as const) : ('conflict' as const);
    },
  );

  // --- group commit ------------------------------------------------------------------------------------
  // appendEvents calls made in one event-loop turn are queued and written by one IMMEDIATE transaction on
  // the next setImmediate: with synchronous=FULL every commit costs an fsync of the WAL, so N concurrent
  // PutEvents share one sync instead of queueing behind N. Measured with 10-event calls of 2 deliveries,
  // synchronous=FULL, ext4 VM disk: 1.5-2.5k calls/s one transaction per call; 3.5-4.3k with 8 concurrent
  // callers (8 calls per transaction); 4.9-5.4k with 64. Disks with slower fsync widen the gap.
  // The delivery engine's writes (claims, attempt records, deferrals) join the same groups: each delivery
  // costs a claim and an attempt record, so without sharing a delivery paid two syncs of its own (the
  // engine topped out near 500 deliveries/s on a loaded 2-core VM, bench:delivery).
  // Each call runs in its own SAVEPOINT, so a call that fails (a duplicate event id) rolls back alone and
  // rejects alone; the others in the group still commit. Promises settle only after COMMIT returned.
  let queue: PendingWrite[] = [];
  let scheduled: NodeJS.Immediate | undefined;
  let closed = false;
  const stats: SqliteStoreStats = { appendCalls: 0, appendTransactions: 0 };

  const writeBatch = db.transaction((batch: AppendBatch, now: number) => {
    for (const { event, deliveries, archives, eventTime } of batch) {
      sql.insert_event.run({
        id: event.id,
        bus_name: event.busName,
        envelope: event.envelope,
        ingested_at: event.ingestedAt,
      });
      if (archives !== undefined && archives.length > 0) {
        const size = Buffer.byteLength(event.envelope, 'utf8');
        for (const archiveName of archives) {
          sql.insert_archive_event.run({
            archive_name: archiveName,
            event_id: event.id,
            event_time: eventTime ?? event.ingestedAt,
            size_bytes: size,
          });
        }
      }
      for (const delivery of deliveries) {
        sql.insert_delivery.run({
          id: delivery.id,
          event_id: event.id,
          bus_name: event.busName,
          rule_name: delivery.ruleName,
          rule_arn: delivery.ruleArn,
          target_id: delivery.targetId,
          now,
        });
      }
    }
  });
  const fireScheduleTx = db.transaction(
    (
      ruleArn: string,
      tickAt: number,
      entry: { event: EventRecord; deliveries: readonly NewDelivery[] },
      now: number,
    ) => {
      if (sql.upsert_schedule_tick.run({ rule_arn: ruleArn, tick_at: tickAt }).changes === 0) {
        return 'already-fired' as const;
      }
      writeBatch([entry], now);
      return 'fired' as const;
    },
  );
  // Each write as a savepoint of the group's transaction.
  const writeOne = db.transaction((call: PendingWrite) => call.write());
  const writeGroup = db.transaction((group: readonly PendingWrite[]) => {
    const outcomes = new Map<PendingWrite, { value: unknown } | { error: Error }>();
    for (const call of group) {
      try {
        outcomes.set(call, { value: writeOne(call) });
      } catch (error) {
        // SQLITE_FULL, IOERR, BUSY and NOMEM end the whole transaction: continuing would write the
        // following calls outside of it, so the group fails as one.
        if (!db.inTransaction) throw error;
        outcomes.set(call, { error: toError(error) });
      }
    }
    return outcomes;
  });
  /** Queues a write for the next group commit; resolves with its result once committed. */
  const enqueue = <T>(write: () => T, append = false): Promise<T> => {
    if (closed) return Promise.reject(new StoreClosedError());
    return new Promise<T>((resolve, reject) => {
      queue.push({ append, write, resolve: resolve as (value: unknown) => void, reject });
      scheduled ??= setImmediate(flush);
    });
  };
  const flush = (): void => {
    scheduled = undefined;
    const group = queue;
    queue = [];
    if (group.length === 0) return;
    const appends = group.filter((call) => call.append).length;
    stats.appendCalls += appends;
    if (appends > 0) stats.appendTransactions += 1;
    let outcomes: Map<PendingWrite, { value: unknown } | { error: Error }>;
    try {
      outcomes = writeGroup.immediate(group);
    } catch (error) {
      const failure = toError(error);
      for (const call of group) call.reject(failure);
      return;
    }
    for (const call of group) {
      const outcome = outcomes.get(call)!;
      if ('error' in outcome) call.reject(outcome.error);
      else call.resolve(outcome.value);
    }
  };

  const assertOpen = (): void => {
    if (closed) throw new StoreClosedError();
  };

  const store: SqliteStore = {
    // --- buses ---------------------------------------------------------------------------------------
    async createBus(bus, tags = []) {
      assertOpen();
      return createBusTx.immediate(bus, tags);
    },
    async getBus(name) {
      assertOpen();
      const row = sql.get_bus.get({ name }) as BusRow | undefined;
      return row === undefined ? undefined : busFromRow(row);
    },
    async listBuses(namePrefix, page) {
      assertOpen();
      checkPageLimit(page.limit);
      const rows = sql.list_buses.all({
        prefix: namePrefix ?? '',
        after: decodeStringPageToken(page.nextToken) ?? '',
        limit: page.limit + 1,
      }) as BusRow[];
      return toPage(rows, page.limit, busFromRow, (row) => row.name);
    },
    async updateBus(bus) {
      assertOpen();
      // update_bus names no arn or created_at (better-sqlite3 ignores the extra keys): they never change.
      return sql.update_bus.run(busParams(bus)).changes === 0 ? 'not-found' : 'updated';
    },
    async deleteBus(name) {
      assertOpen();
      return deleteBusTx.immediate(name);
    },

    // --- rules and targets ---------------------------------------------------------------------------
    async putRule(rule, tags = []) {
      assertOpen();
      return putRuleTx.immediate(rule, tags);
    },
    async getRule(busName, name) {
      assertOpen();
      const row = sql.get_rule.get({ bus_name: busName, name }) as RuleRow | undefined;
      return row === undefined ? undefined : ruleFromRow(row);
    },
    async listRules(busName, namePrefix, page) {
      assertOpen();
      checkPageLimit(page.limit);
      const rows = sql.list_rules.all({
        bus_name: busName,
        prefix: namePrefix ?? '',
        after: decodeStringPageToken(page.nextToken) ?? '',
        limit: page.limit + 1,
      }) as RuleRow[];
      return toPage(rows, page.limit, ruleFromRow, (row) => row.name);
    },
    async listAllRules() {
      assertOpen();
      return (sql.list_all_rules.all() as RuleRow[]).map(ruleFromRow);
    },
    async countRules(busName) {
      assertOpen();
      return (sql.count_rules.get({ bus_name: busName }) as { count: number }).count;
    },
    async deleteRule(busName, name) {
      assertOpen();
      return deleteRuleTx.immediate(busName, name);
    },
    async putTargets(busName, ruleName, targets) {
      assertOpen();
      putTargetsTx.immediate(busName, ruleName, targets);
    },
    async removeTargets(busName, ruleName, ids) {
      assertOpen();
      return removeTargetsTx.immediate(busName, ruleName, ids);
    },
    async listTargets(busName, ruleName, page) {
      assertOpen();
      checkPageLimit(page.limit);
      const rows = sql.list_targets.all({
        bus_name: busName,
        rule_name: ruleName,
        after: decodeStringPageToken(page.nextToken) ?? '',
        limit: page.limit + 1,
      }) as TargetRow[];
      return toPage(rows, page.limit, targetFromRow, (row) => row.id);
    },
    async getTargets(busName, ruleName) {
      assertOpen();
      return (sql.get_targets.all({ bus_name: busName, rule_name: ruleName }) as TargetRow[]).map(
        targetFromRow,
      );
    },
    async listRuleNamesByTarget(busName, targetArn, page) {
      assertOpen();
      checkPageLimit(page.limit);
      const rows = sql.list_rule_names_by_target.all({
        bus_name: busName,
        arn: targetArn,
        after: decodeStringPageToken(page.nextToken) ?? '',
        limit: page.limit + 1,
      }) as Array<{ rule_name: string }>;
      return toPage(
        rows,
        page.limit,
        (row) => row.rule_name,
        (row) => row.rule_name,
      );
    },

    // --- tags ----------------------------------------------------------------------------------------
    async getTags(resourceArn) {
      assertOpen();
      const rows = sql.get_tags.all({ resource_arn: resourceArn }) as Array<{
        tag_key: string;
        tag_value: string;
      }>;
      return rows.map((row) => ({ key: row.tag_key, value: row.tag_value }));
    },
    async tagResource(resourceArn, tags) {
      assertOpen();
      tagResourceTx.immediate(resourceArn, tags);
    },
    async untagResource(resourceArn, keys) {
      assertOpen();
      untagResourceTx.immediate(resourceArn, keys);
    },

    // --- access keys ---------------------------------------------------------------------------------
    async createAccessKey(key) {
      assertOpen();
      const changes = sql.insert_access_key.run({
        access_key_id: key.accessKeyId,
        secret_ciphertext: key.secretCiphertext,
        description: key.description ?? null,
        created_at: key.createdAt,
      }).changes;
      return changes === 0 ? 'exists' : 'created';
    },
    async getAccessKey(accessKeyId) {
      assertOpen();
      const row = sql.get_access_key.get({ access_key_id: accessKeyId }) as AccessKeyRow | undefined;
      return row === undefined ? undefined : accessKeyFromRow(row);
    },
    async listAccessKeys() {
      assertOpen();
      return (sql.list_access_keys.all() as AccessKeyRow[]).map(accessKeyFromRow);
    },
    async deleteAccessKey(accessKeyId) {
      assertOpen();
      return sql.delete_access_key.run({ access_key_id: accessKeyId }).changes === 0
        ? 'not-found'
        : 'deleted';
    },

    // --- inbound endpoints ---------------------------------------------------------------------------
    async createInboundEndpoint(endpoint) {
      assertOpen();
      return sql.insert_inbound_endpoint.run(inboundEndpointParams(endpoint)).changes === 0
        ? 'exists'
        : 'created';
    },
    async getInboundEndpoint(kind, id) {
      assertOpen();
      const row = sql.get_inbound_endpoint.get({ kind, id }) as InboundEndpointRow | undefined;
      return row === undefined ? undefined : inboundEndpointFromRow(row);
    },
    async listInboundEndpoints(kind, page) {
      assertOpen();
      checkPageLimit(page.limit);
      const rows = sql.list_inbound_endpoints.all({
        kind,
        after: decodeStringPageToken(page.nextToken) ?? '',
        limit: page.limit + 1,
      }) as InboundEndpointRow[];
      return toPage(rows, page.limit, inboundEndpointFromRow, (row) => row.id);
    },
    async updateInboundEndpoint(endpoint) {
      assertOpen();
      // update_inbound_endpoint names no created_at (better-sqlite3 ignores the extra key): it is kept.
      return sql.update_inbound_endpoint.run(inboundEndpointParams(endpoint)).changes === 0
        ? 'not-found'
        : 'updated';
    },
    async deleteInboundEndpoint(kind, id) {
      assertOpen();
      return sql.delete_inbound_endpoint.run({ kind, id }).changes === 0 ? 'not-found' : 'deleted';
    },

    // --- events and deliveries -----------------------------------------------------------------------
    appendEvents(batch, now) {
      if (closed) return Promise.reject(new StoreClosedError());
      if (batch.length === 0) return Promise.resolve();
      // A copy, so that a caller reusing its array before the flush does not change what is written.
      const copy = [...batch];
      return enqueue(() => {
        writeBatch(copy, now);
      }, true);
    },
    async getEvent(id) {
      assertOpen();
      const row = sql.get_event.get({ id }) as EventRow | undefined;
      return row === undefined
        ? undefined
        : { id: row.id, busName: row.bus_name, envelope: row.envelope, ingestedAt: row.ingested_at };
    },
    async claimDueDeliveries(owner, now, leaseMs, limit) {
      assertOpen();
      if (limit < 1) return [];
      const rows = await enqueue(
        () =>
          sql.claim_due_deliveries.all({
            owner,
            now,
            lease_expires_at: now + leaseMs,
            limit,
          }) as DeliveryRow[],
      );
      rows.sort((a, b) => a.due_at - b.due_at || a.seq - b.seq);
      return rows.map(deliveryFromRow);
    },
    async getDelivery(id) {
      assertOpen();
      const row = sql.get_delivery.get({ id }) as DeliveryRow | undefined;
      return row === undefined ? undefined : deliveryFromRow(row);
    },
    async listDeliveries(filter, page) {
      assertOpen();
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
      // The narrowest index first. An event has a handful of deliveries. Every status but `delivered`
      // is the working set (pending, in flight, failures), small next to a busy rule's history, while
      // `delivered` is nearly the whole table: for it, a rule's rows are the narrower read.
      const query =
        filter.eventId !== undefined
          ? sql.list_deliveries_by_event
          : filter.status !== undefined && filter.status !== 'delivered'
            ? sql.list_deliveries_by_status
            : filter.busName !== undefined && filter.ruleName !== undefined
              ? sql.list_deliveries_by_rule
              : filter.status !== undefined
                ? sql.list_deliveries_by_status
                : sql.list_deliveries;
      // Each query reads the parameters it names; better-sqlite3 ignores the others.
      const rows = query.all(params) as DeliveryRow[];
      return toPage(rows, page.limit, deliveryFromRow, (row) => row.seq);
    },
    async recordAttempt(owner, attempt, next, now) {
      assertOpen();
      return enqueue(() => recordAttemptTx(owner, attempt, next, now));
    },
    async releaseDeliveries(owner, now) {
      assertOpen();
      return sql.release_deliveries.run({ owner, now }).changes;
    },
    async listLeaseOwners() {
      assertOpen();
      return (sql.list_lease_owners.all() as Array<{ lease_owner: string }>).map((row) => row.lease_owner);
    },
    async deferDelivery(owner, id, dueAt, now) {
      assertOpen();
      return enqueue(() =>
        sql.defer_delivery.run({ id, owner, due_at: dueAt, now }).changes === 1 ? 'deferred' : 'lease-lost',
      );
    },
    async getNextDeliveryDue() {
      assertOpen();
      const row = sql.get_next_delivery_due.get() as { due_at: number | null } | undefined;
      return row?.due_at ?? undefined;
    },
    async countDueDeliveries(now, atMost) {
      assertOpen();
      if (atMost < 1) return 0;
      return (sql.count_due_deliveries.get({ now, limit: atMost }) as { n: number }).n;
    },
    async fireSchedule(ruleArn, tickAt, entry, now) {
      assertOpen();
      return fireScheduleTx.immediate(ruleArn, tickAt, entry, now);
    },
    async pruneEvents(before, window) {
      assertOpen();
      const params = { before, after: window.afterSeq, limit: window.limit };
      const found = sql.get_prune_window.get(params) as { last_seq: number | null; recent: number };
      const deleted = found.last_seq === null ? 0 : sql.prune_events.run(params).changes;
      return {
        deleted,
        ...(found.last_seq !== null && { lastSeq: found.last_seq }),
        done: found.last_seq === null || found.recent > 0,
      };
    },
    async listAttempts(deliveryId) {
      assertOpen();
      return (sql.list_attempts.all({ delivery_id: deliveryId }) as AttemptRow[]).map(attemptFromRow);
    },

    // --- archives, replays, sinks ----------------------------------------------------------------------
    async createArchive(archive) {
      assertOpen();
      return sql.insert_archive.run(archiveParams(archive)).changes === 0 ? 'exists' : 'created';
    },
    async getArchive(name) {
      assertOpen();
      const row = sql.get_archive.get({ name }) as ArchiveRow | undefined;
      return row === undefined ? undefined : archiveFromRow(row);
    },
    async listArchives(filter, page) {
      assertOpen();
      checkPageLimit(page.limit);
      const rows = sql.list_archives.all({
        prefix: filter.namePrefix ?? '',
        bus_name: filter.busName ?? null,
        state: filter.state ?? null,
        after: decodeStringPageToken(page.nextToken) ?? '',
        limit: page.limit + 1,
      }) as ArchiveRow[];
      return toPage(rows, page.limit, archiveFromRow, (row) => row.name);
    },
    async listAllArchives() {
      assertOpen();
      return (sql.list_all_archives.all() as ArchiveRow[]).map(archiveFromRow);
    },
    async updateArchive(archive) {
      assertOpen();
      return sql.update_archive.run(archiveParams(archive)).changes === 0 ? 'not-found' : 'updated';
    },
    async deleteArchive(name) {
      assertOpen();
      return sql.delete_archive.run({ name }).changes === 0 ? 'not-found' : 'deleted';
    },
    async getArchiveStats(name) {
      assertOpen();
      const row = sql.get_archive_stats.get({ archive_name: name }) as {
        event_count: number;
        size_bytes: number;
      };
      return { eventCount: row.event_count, sizeBytes: row.size_bytes };
    },
    async countArchivedEvents(name, window) {
      assertOpen();
      const row = sql.count_archived_events.get({
        archive_name: name,
        from_time: window.from,
        to_time: window.to,
      }) as { event_count: number };
      return row.event_count;
    },
    async listArchivedEvents(name, window, after, limit) {
      assertOpen();
      checkPageLimit(limit);
      const rows = sql.list_archived_events.all({
        archive_name: name,
        from_time: window.from,
        to_time: window.to,
        after_time: after?.eventTime ?? Number.MIN_SAFE_INTEGER,
        after_seq: after?.seq ?? 0,
        limit,
      }) as Array<EventRow & { seq: number; event_time: number }>;
      return rows.map((row) => ({
        seq: row.seq,
        eventTime: row.event_time,
        event: { id: row.id, busName: row.bus_name, envelope: row.envelope, ingestedAt: row.ingested_at },
      }));
    },
    async pruneArchive(name, before) {
      assertOpen();
      return sql.prune_archive_events.run({ archive_name: name, before }).changes;
    },
    async createReplay(replay) {
      assertOpen();
      const changes = sql.insert_replay.run({
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
      }).changes;
      return changes === 0 ? 'exists' : 'created';
    },
    async getReplay(name) {
      assertOpen();
      const row = sql.get_replay.get({ name }) as ReplayRow | undefined;
      return row === undefined ? undefined : replayFromRow(row);
    },
    async listReplays(filter, page) {
      assertOpen();
      checkPageLimit(page.limit);
      const rows = sql.list_replays.all({
        prefix: filter.namePrefix ?? '',
        state: filter.state ?? null,
        event_source_arn: filter.eventSourceArn ?? null,
        after: decodeStringPageToken(page.nextToken) ?? '',
        limit: page.limit + 1,
      }) as ReplayRow[];
      return toPage(rows, page.limit, replayFromRow, (row) => row.name);
    },
    async listActiveReplays() {
      assertOpen();
      return (sql.list_active_replays.all() as ReplayRow[]).map(replayFromRow);
    },
    async countActiveReplays() {
      assertOpen();
      return (sql.count_active_replays.get() as { active: number }).active;
    },
    async leaseReplay(name, owner, now, leaseMs) {
      assertOpen();
      return sql.lease_replay.run({ name, owner, now, lease_expires_at: now + leaseMs }).changes === 1
        ? 'held'
        : 'taken';
    },
    async recordReplayProgress(name, progress) {
      assertOpen();
      return sql.update_replay_progress.run({
        name,
        cursor_time: progress.cursor.eventTime,
        cursor_seq: progress.cursor.seq,
        event_last_replayed_time: progress.eventLastReplayedTime,
        events_replayed: progress.eventsReplayed,
      }).changes === 0
        ? 'not-running'
        : 'recorded';
    },
    async setReplayState(name, change, from) {
      assertOpen();
      return setReplayStateTx.immediate(name, change, from);
    },
    async createSink(sink) {
      assertOpen();
      return sql.insert_sink.run({
        name: sink.name,
        arn: sink.arn,
        settings: JSON.stringify(sink.settings),
        created_at: sink.createdAt,
        updated_at: sink.updatedAt,
      }).changes === 0
        ? 'exists'
        : 'created';
    },
    async getSink(name) {
      assertOpen();
      const row = sql.get_sink.get({ name }) as SinkRow | undefined;
      return row === undefined ? undefined : sinkFromRow(row);
    },
    async listSinks(page) {
      assertOpen();
      checkPageLimit(page.limit);
      const rows = sql.list_sinks.all({
        after: decodeStringPageToken(page.nextToken) ?? '',
        limit: page.limit + 1,
      }) as SinkRow[];
      return toPage(rows, page.limit, sinkFromRow, (row) => row.name);
    },
    async deleteSink(name) {
      assertOpen();
      return sql.delete_sink.run({ name }).changes === 0 ? 'not-found' : 'deleted';
    },

    // --- queues and messages -------------------------------------------------------------------------
    async createQueue(queue, tags = []) {
      assertOpen();
      return createQueueTx.immediate(queue, tags);
    },
    async getQueue(name) {
      assertOpen();
      const row = sql.get_queue.get({ name }) as QueueRow | undefined;
      return row === undefined ? undefined : queueFromRow(row);
    },
    async listQueues(namePrefix, page) {
      assertOpen();
      checkPageLimit(page.limit);
      const rows = sql.list_queues.all({
        prefix: namePrefix ?? '',
        after: decodeStringPageToken(page.nextToken) ?? '',
        limit: page.limit + 1,
      }) as QueueRow[];
      return toPage(rows, page.limit, queueFromRow, (row) => row.name);
    },
    async updateQueue(queue) {
      assertOpen();
      const changes = sql.update_queue.run({
        name: queue.name,
        attributes: JSON.stringify(queue.attributes),
        updated_at: queue.updatedAt,
      }).changes;
      return changes === 0 ? 'not-found' : 'updated';
    },
    async deleteQueue(name) {
      assertOpen();
      return deleteQueueTx.immediate(name);
    },
    async sendQueueMessages(queueName, messages, options) {
      assertOpen();
      if (messages.length === 0) return [];
      return sendQueueMessagesTx.immediate(queueName, messages, options);
    },
    async receiveQueueMessages(queueName, request) {
      assertOpen();
      checkPageLimit(request.limit);
      return receiveQueueMessagesTx.immediate(queueName, request);
    },
    async getQueueMessage(queueName, id) {
      assertOpen();
      const row = sql.get_queue_message.get({ queue_name: queueName, id }) as QueueMessageRow | undefined;
      return row === undefined ? undefined : queueMessageFromRow(row);
    },
    async deleteQueueMessage(queueName, id, receiptToken, expiredAt) {
      assertOpen();
      return deleteQueueMessageTx.immediate(queueName, id, receiptToken, expiredAt);
    },
    async changeQueueMessageVisibility(queueName, id, receiptToken, visibleAt, expiredAt) {
      assertOpen();
      return changeVisibilityTx.immediate(queueName, id, receiptToken, visibleAt, expiredAt);
    },
    async purgeQueue(queueName) {
      assertOpen();
      return sql.purge_queue_messages.run({ queue_name: queueName }).changes;
    },
    async countQueueMessages(queueName, now) {
      assertOpen();
      const row = sql.count_queue_messages.get({ queue_name: queueName, now }) as {
        visible: number;
        in_flight: number;
        delayed: number;
      };
      return { visible: row.visible, inFlight: row.in_flight, delayed: row.delayed };
    },
    async getNextVisibleAt(queueName, now) {
      assertOpen();
      const row = sql.get_next_visible_at.get({ queue_name: queueName, now }) as {
        visible_at: number | null;
      };
      return row.visible_at ?? undefined;
    },
    async moveQueueMessages(from, to, options) {
      assertOpen();
      checkPageLimit(options.limit);
      return moveQueueMessagesTx.immediate(from, to, options.now, options.limit);
    },
    async pruneQueue(queueName, options) {
      assertOpen();
      return pruneQueueTx.immediate(queueName, options.enqueuedBefore, options.now);
    },

    // --- connections and API destinations ---------------------------------------------------------
    async createConnection(connection) {
      assertOpen();
      return sql.insert_connection.run(connectionParams(connection)).changes === 0 ? 'exists' : 'created';
    },
    async getConnection(name) {
      assertOpen();
      const row = sql.get_connection.get({ name }) as ConnectionRow | undefined;
      return row === undefined ? undefined : connectionFromRow(row);
    },
    async listConnections(filter, page) {
      assertOpen();
      checkPageLimit(page.limit);
      const rows = sql.list_connections.all({
        prefix: filter.namePrefix ?? '',
        state: filter.state ?? null,
        after: decodeStringPageToken(page.nextToken) ?? '',
        limit: page.limit + 1,
      }) as ConnectionRow[];
      return toPage(rows, page.limit, connectionFromRow, (row) => row.name);
    },
    async updateConnection(connection, condition) {
      assertOpen();
      return updateConnectionTx.immediate(connection, condition);
    },
    async deleteConnection(name) {
      assertOpen();
      return deleteConnectionTx.immediate(name);
    },
    async createApiDestination(destination) {
      assertOpen();
      return createApiDestinationTx.immediate(destination);
    },
    async getApiDestination(name) {
      assertOpen();
      const row = sql.get_api_destination.get({ name }) as ApiDestinationRow | undefined;
      return row === undefined ? undefined : apiDestinationFromRow(row);
    },
    async listApiDestinations(filter, page) {
      assertOpen();
      checkPageLimit(page.limit);
      const rows = sql.list_api_destinations.all({
        prefix: filter.namePrefix ?? '',
        connection_arn: filter.connectionArn ?? null,
        after: decodeStringPageToken(page.nextToken) ?? '',
        limit: page.limit + 1,
      }) as ApiDestinationRow[];
      return toPage(rows, page.limit, apiDestinationFromRow, (row) => row.name);
    },
    async updateApiDestination(destination) {
      assertOpen();
      return updateApiDestinationTx.immediate(destination);
    },
    async deleteApiDestination(name) {
      assertOpen();
      return sql.delete_api_destination.run({ name }).changes === 0 ? 'not-found' : 'deleted';
    },

    // --- task tokens ------------------------------------------------------------------------------
    async createTaskToken(task) {
      assertOpen();
      const inserted = sql.insert_task_token.run({
        token_hash: task.tokenHash,
        created_at: task.createdAt,
        timeout_at: task.timeoutAt,
        heartbeat_ms: task.heartbeatMs ?? null,
        heartbeat_deadline: task.heartbeatDeadline ?? null,
      });
      return inserted.changes === 0 ? 'exists' : 'created';
    },
    async getTaskToken(tokenHash) {
      assertOpen();
      const row = sql.get_task_token.get({ token_hash: tokenHash }) as TaskTokenRow | undefined;
      return row === undefined ? undefined : taskTokenFromRow(row);
    },
    async completeTaskToken(tokenHash, completion, now) {
      assertOpen();
      return completeTaskTokenTx.immediate(tokenHash, {
        token_hash: tokenHash,
        status: completion.status,
        output: completion.status === 'succeeded' ? completion.output : null,
        error: completion.status === 'failed' ? (completion.error ?? null) : null,
        cause: completion.status === 'failed' ? (completion.cause ?? null) : null,
        now,
      });
    },
    async heartbeatTaskToken(tokenHash, now) {
      assertOpen();
      return heartbeatTaskTokenTx.immediate(tokenHash, now);
    },
    async expireTaskToken(tokenHash, timeout, now) {
      assertOpen();
      const params = { token_hash: tokenHash, error: timeout.error, cause: timeout.cause, now };
      return sql.expire_task_token.run(params).changes === 1;
    },
    async pruneTaskTokens(before) {
      assertOpen();
      return sql.prune_task_tokens.run({ before }).changes;
    },

    async close() {
      if (closed) return;
      closed = true;
      // Appends already accepted are written, not dropped: their callers are waiting on them.
      if (scheduled !== undefined) clearImmediate(scheduled);
      flush();
      db.close();
    },

    stats() {
      return { ...stats };
    },
  };
  return store;
}

// --- rows and records ----------------------------------------------------------------------------------
// Exported for the PostgreSQL store, whose tables have the same columns (fifo read as 0/1 there too).

export interface BusRow {
  name: string;
  arn: string;
  description: string | null;
  kms_key_identifier: string | null;
  dead_letter_config: string | null;
  log_config: string | null;
  policy: string | null;
  created_at: number;
  updated_at: number;
}

export interface RuleRow {
  bus_name: string;
  name: string;
  arn: string;
  event_pattern: string | null;
  schedule_expression: string | null;
  state: RuleState;
  description: string | null;
  role_arn: string | null;
  managed_by: string | null;
  created_by: string;
  created_at: number;
  updated_at: number;
}

export interface TargetRow {
  bus_name: string;
  rule_name: string;
  id: string;
  arn: string;
  role_arn: string | null;
  input: string | null;
  input_path: string | null;
  input_transformer: string | null;
  retry_policy: string | null;
  dead_letter_config: string | null;
  parameters: string | null;
}

export interface AccessKeyRow {
  access_key_id: string;
  secret_ciphertext: string;
  description: string | null;
  created_at: number;
}

export interface EventRow {
  id: string;
  bus_name: string;
  envelope: string;
  ingested_at: number;
}

export interface DeliveryRow {
  seq: number;
  id: string;
  event_id: string;
  bus_name: string;
  rule_name: string;
  rule_arn: string;
  target_id: string;
  status: DeliveryStatus;
  attempts: number;
  due_at: number;
  created_at: number;
  updated_at: number;
  lease_owner: string | null;
  lease_expires_at: number | null;
  last_error: string | null;
}

export interface AttemptRow {
  delivery_id: string;
  attempt: number;
  started_at: number;
  duration_ms: number;
  outcome: AttemptRecord['outcome'];
  status_code: number | null;
  error: string | null;
  response_excerpt: string | null;
}

export interface QueueRow {
  name: string;
  arn: string;
  fifo: 0 | 1;
  attributes: string;
  created_at: number;
  updated_at: number;
}

export interface QueueMessageRow {
  seq: number;
  queue_name: string;
  id: string;
  body: string;
  message_attributes: string | null;
  system_attributes: string | null;
  group_id: string | null;
  deduplication_id: string | null;
  sent_at: number;
  enqueued_at: number;
  visible_at: number;
  receive_count: number;
  first_received_at: number | null;
  last_received_at: number | null;
  receipt_token: string | null;
  dead_letter_source_arn: string | null;
}

/** The parameters of insert_queue_message. */
export type QueueMessageInsert = Omit<
  QueueMessageRow,
  'seq' | 'first_received_at' | 'last_received_at' | 'receipt_token'
>;

export interface DeduplicationRow {
  message_id: string;
  seq: number;
}

/** Rows come one more than the page size: the extra one only says that a next page exists. */
export interface ArchiveRow {
  name: string;
  arn: string;
  bus_name: string;
  event_source_arn: string;
  description: string | null;
  event_pattern: string | null;
  retention_days: number;
  state: string;
  created_at: number;
  updated_at: number;
}

export function archiveParams(archive: ArchiveRecord): Record<string, string | number | null> {
  return {
    name: archive.name,
    arn: archive.arn,
    bus_name: archive.busName,
    event_source_arn: archive.eventSourceArn,
    description: archive.description ?? null,
    event_pattern: archive.eventPattern ?? null,
    retention_days: archive.retentionDays,
    state: archive.state,
    created_at: archive.createdAt,
    updated_at: archive.updatedAt,
  };
}

export function archiveFromRow(row: ArchiveRow): ArchiveRecord {
  return {
    name: row.name,
    arn: row.arn,
    busName: row.bus_name,
    eventSourceArn: row.event_source_arn,
    ...(row.description !== null && { description: row.description }),
    ...(row.event_pattern !== null && { eventPattern: row.event_pattern }),
    retentionDays: row.retention_days,
    state: row.state as ArchiveRecord['state'],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface ReplayRow {
  name: string;
  arn: string;
  description: string | null;
  archive_name: string;
  event_source_arn: string;
  destination_arn: string;
  filter_arns: string | null;
  event_start_time: number;
  event_end_time: number;
  state: string;
  state_reason: string | null;
  replay_start_time: number;
  replay_end_time: number | null;
  event_last_replayed_time: number | null;
  cursor_time: number | null;
  cursor_seq: number | null;
  events_replayed: number;
  events_total: number | null;
}

export function replayFromRow(row: ReplayRow): ReplayRecord {
  return {
    name: row.name,
    arn: row.arn,
    ...(row.description !== null && { description: row.description }),
    archiveName: row.archive_name,
    eventSourceArn: row.event_source_arn,
    destinationArn: row.destination_arn,
    ...(row.filter_arns !== null && { filterArns: JSON.parse(row.filter_arns) as string[] }),
    eventStartTime: row.event_start_time,
    eventEndTime: row.event_end_time,
    state: row.state as ReplayState,
    ...(row.state_reason !== null && { stateReason: row.state_reason }),
    replayStartTime: row.replay_start_time,
    ...(row.replay_end_time !== null && { replayEndTime: row.replay_end_time }),
    ...(row.event_last_replayed_time !== null && { eventLastReplayedTime: row.event_last_replayed_time }),
    ...(row.cursor_time !== null &&
      row.cursor_seq !== null && { cursor: { eventTime: row.cursor_time, seq: row.cursor_seq } }),
    eventsReplayed: row.events_replayed,
    ...(row.events_total !== null && { eventsTotal: row.events_total }),
  };
}

export interface SinkRow {
  name: string;
  arn: string;
  settings: string;
  created_at: number;
  updated_at: number;
}

export function sinkFromRow(row: SinkRow): SinkRecord {
  return {
    name: row.name,
    arn: row.arn,
    settings: JSON.parse(row.settings) as Record<string, unknown>,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toPage<Row, Item>(
  rows: Row[],
  limit: number,
  toItem: (row: Row) => Item,
  sortKey: (row: Row) => string | number,
): Page<Item> {
  if (rows.length <= limit) return { items: rows.map(toItem) };
  const pageRows = rows.slice(0, limit);
  const last = pageRows[pageRows.length - 1];
  const items = pageRows.map(toItem);
  return last === undefined ? { items } : { items, nextToken: encodePageToken(sortKey(last)) };
}

export function toJson(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

export function busParams(bus: EventBusRecord) {
  return {
    name: bus.name,
    arn: bus.arn,
    description: bus.description ?? null,
    kms_key_identifier: bus.kmsKeyIdentifier ?? null,
    dead_letter_config: toJson(bus.deadLetterConfig),
    log_config: toJson(bus.logConfig),
    policy: bus.policy ?? null,
    created_at: bus.createdAt,
    updated_at: bus.updatedAt,
  };
}

export function busFromRow(row: BusRow): EventBusRecord {
  return {
    name: row.name,
    arn: row.arn,
    ...(row.description === null ? {} : { description: row.description }),
    ...(row.kms_key_identifier === null ? {} : { kmsKeyIdentifier: row.kms_key_identifier }),
    ...(row.dead_letter_config === null
      ? {}
      : {
          deadLetterConfig: JSON.parse(row.dead_letter_config) as NonNullable<
            EventBusRecord['deadLetterConfig']
          >,
        }),
    ...(row.log_config === null
      ? {}
      : { logConfig: JSON.parse(row.log_config) as NonNullable<EventBusRecord['logConfig']> }),
    ...(row.policy === null ? {} : { policy: row.policy }),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function ruleParams(rule: RuleRecord) {
  return {
    bus_name: rule.busName,
    name: rule.name,
    arn: rule.arn,
    event_pattern: rule.eventPattern ?? null,
    schedule_expression: rule.scheduleExpression ?? null,
    state: rule.state,
    description: rule.description ?? null,
    role_arn: rule.roleArn ?? null,
    managed_by: rule.managedBy ?? null,
    created_by: rule.createdBy,
    created_at: rule.createdAt,
    updated_at: rule.updatedAt,
  };
}

export function ruleFromRow(row: RuleRow): RuleRecord {
  return {
    busName: row.bus_name,
    name: row.name,
    arn: row.arn,
    ...(row.event_pattern === null ? {} : { eventPattern: row.event_pattern }),
    ...(row.schedule_expression === null ? {} : { scheduleExpression: row.schedule_expression }),
    state: row.state,
    ...(row.description === null ? {} : { description: row.description }),
    ...(row.role_arn === null ? {} : { roleArn: row.role_arn }),
    ...(row.managed_by === null ? {} : { managedBy: row.managed_by }),
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function targetParams(busName: string, ruleName: string, target: TargetRecord) {
  return {
    bus_name: busName,
    rule_name: ruleName,
    id: target.id,
    arn: target.arn,
    role_arn: target.roleArn ?? null,
    input: target.input ?? null,
    input_path: target.inputPath ?? null,
    input_transformer: toJson(target.inputTransformer),
    retry_policy: toJson(target.retryPolicy),
    dead_letter_config: toJson(target.deadLetterConfig),
    parameters: toJson(target.parameters),
  };
}

export function targetFromRow(row: TargetRow): TargetRecord {
  type Target = Required<TargetRecord>;
  return {
    busName: row.bus_name,
    ruleName: row.rule_name,
    id: row.id,
    arn: row.arn,
    ...(row.role_arn === null ? {} : { roleArn: row.role_arn }),
    ...(row.input === null ? {} : { input: row.input }),
    ...(row.input_path === null ? {} : { inputPath: row.input_path }),
    ...(row.input_transformer === null
      ? {}
      : { inputTransformer: JSON.parse(row.input_transformer) as Target['inputTransformer'] }),
    ...(row.retry_policy === null
      ? {}
      : { retryPolicy: JSON.parse(row.retry_policy) as Target['retryPolicy'] }),
    ...(row.dead_letter_config === null
      ? {}
      : { deadLetterConfig: JSON.parse(row.dead_letter_config) as Target['deadLetterConfig'] }),
    ...(row.parameters === null ? {} : { parameters: JSON.parse(row.parameters) as Target['parameters'] }),
  };
}

export function accessKeyFromRow(row: AccessKeyRow): AccessKeyRecord {
  return {
    accessKeyId: row.access_key_id,
    secretCiphertext: row.secret_ciphertext,
    ...(row.description === null ? {} : { description: row.description }),
    createdAt: row.created_at,
  };
}

export interface InboundEndpointRow {
  kind: InboundEndpointKind;
  id: string;
  definition: string;
  secret_ciphertext: string | null;
  created_at: number;
  updated_at: number;
}

export function inboundEndpointParams(endpoint: InboundEndpointRecord) {
  return {
    kind: endpoint.kind,
    id: endpoint.id,
    definition: endpoint.definition,
    secret_ciphertext: endpoint.secretCiphertext ?? null,
    created_at: endpoint.createdAt,
    updated_at: endpoint.updatedAt,
  };
}

export function inboundEndpointFromRow(row: InboundEndpointRow): InboundEndpointRecord {
  return {
    kind: row.kind,
    id: row.id,
    definition: row.definition,
    ...(row.secret_ciphertext === null ? {} : { secretCiphertext: row.secret_ciphertext }),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function deliveryFromRow(row: DeliveryRow): DeliveryRecord {
  return {
    id: row.id,
    eventId: row.event_id,
    busName: row.bus_name,
    ruleName: row.rule_name,
    ruleArn: row.rule_arn,
    targetId: row.target_id,
    status: row.status,
    attempts: row.attempts,
    dueAt: row.due_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    ...(row.lease_owner === null ? {} : { leaseOwner: row.lease_owner }),
    ...(row.lease_expires_at === null ? {} : { leaseExpiresAt: row.lease_expires_at }),
    ...(row.last_error === null ? {} : { lastError: row.last_error }),
  };
}

export function attemptParams(attempt: AttemptRecord) {
  return {
    delivery_id: attempt.deliveryId,
    attempt: attempt.attempt,
    started_at: attempt.startedAt,
    duration_ms: attempt.durationMs,
    outcome: attempt.outcome,
    status_code: attempt.statusCode ?? null,
    error: attempt.error ?? null,
    response_excerpt: attempt.responseExcerpt ?? null,
  };
}

export function attemptFromRow(row: AttemptRow): AttemptRecord {
  return {
    deliveryId: row.delivery_id,
    attempt: row.attempt,
    startedAt: row.started_at,
    durationMs: row.duration_ms,
    outcome: row.outcome,
    ...(row.status_code === null ? {} : { statusCode: row.status_code }),
    ...(row.error === null ? {} : { error: row.error }),
    ...(row.response_excerpt === null ? {} : { responseExcerpt: row.response_excerpt }),
  };
}

/**
 * 128 random bits from the operating system's CSPRNG (not SQLite's randomblob()): a receipt handle is
 * the only proof that the caller received the message, so it must not be guessable from other handles.
 */
export function newReceiptToken(): string {
  return randomBytes(16).toString('base64url');
}

export function queueParams(queue: QueueRecord) {
  return {
    name: queue.name,
    arn: queue.arn,
    fifo: queue.fifo ? 1 : 0,
    attributes: JSON.stringify(queue.attributes),
    created_at: queue.createdAt,
    updated_at: queue.updatedAt,
  };
}

export function queueFromRow(row: QueueRow): QueueRecord {
  return {
    name: row.name,
    arn: row.arn,
    fifo: row.fifo === 1,
    attributes: JSON.parse(row.attributes) as Record<string, string>,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function queueMessageFromRow(row: QueueMessageRow): QueueMessageRecord {
  type Attributes = Record<string, QueueMessageAttribute>;
  return {
    queueName: row.queue_name,
    id: row.id,
    seq: row.seq,
    body: row.body,
    ...(row.message_attributes === null
      ? {}
      : { messageAttributes: JSON.parse(row.message_attributes) as Attributes }),
    ...(row.system_attributes === null
      ? {}
      : { systemAttributes: JSON.parse(row.system_attributes) as Attributes }),
    ...(row.group_id === null ? {} : { groupId: row.group_id }),
    ...(row.deduplication_id === null ? {} : { deduplicationId: row.deduplication_id }),
    sentAt: row.sent_at,
    enqueuedAt: row.enqueued_at,
    visibleAt: row.visible_at,
    receiveCount: row.receive_count,
    ...(row.first_received_at === null ? {} : { firstReceivedAt: row.first_received_at }),
    ...(row.last_received_at === null ? {} : { lastReceivedAt: row.last_received_at }),
    ...(row.receipt_token === null ? {} : { receiptToken: row.receipt_token }),
    ...(row.dead_letter_source_arn === null ? {} : { deadLetterSourceArn: row.dead_letter_source_arn }),
  };
}

export interface ConnectionRow {
  name: string;
  arn: string;
  description: string | null;
  authorization_type: ConnectionRecord['authorizationType'];
  state: ConnectionRecord['state'];
  state_reason: string | null;
  secret_arn: string;
  kms_key_identifier: string | null;
  auth_parameters: string;
  sealed_secret: string | null;
  created_at: number;
  updated_at: number;
  last_authorized_at: number | null;
}

export function connectionParams(connection: ConnectionRecord) {
  return {
    name: connection.name,
    arn: connection.arn,
    description: connection.description ?? null,
    authorization_type: connection.authorizationType,
    state: connection.state,
    state_reason: connection.stateReason ?? null,
    secret_arn: connection.secretArn,
    kms_key_identifier: connection.kmsKeyIdentifier ?? null,
    auth_parameters: JSON.stringify(connection.authParameters),
    sealed_secret: connection.sealedSecret ?? null,
    created_at: connection.createdAt,
    updated_at: connection.updatedAt,
    last_authorized_at: connection.lastAuthorizedAt ?? null,
  };
}

export function connectionFromRow(row: ConnectionRow): ConnectionRecord {
  return {
    name: row.name,
    arn: row.arn,
    ...(row.description === null ? {} : { description: row.description }),
    authorizationType: row.authorization_type,
    state: row.state,
    ...(row.state_reason === null ? {} : { stateReason: row.state_reason }),
    secretArn: row.secret_arn,
    ...(row.kms_key_identifier === null ? {} : { kmsKeyIdentifier: row.kms_key_identifier }),
    authParameters: JSON.parse(row.auth_parameters) as ConnectionRecord['authParameters'],
    ...(row.sealed_secret === null ? {} : { sealedSecret: row.sealed_secret }),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    ...(row.last_authorized_at === null ? {} : { lastAuthorizedAt: row.last_authorized_at }),
  };
}

export interface ApiDestinationRow {
  name: string;
  arn: string;
  description: string | null;
  connection_arn: string;
  invocation_endpoint: string;
  http_method: ApiDestinationRecord['httpMethod'];
  invocation_rate_limit_per_second: number;
  created_at: number;
  updated_at: number;
}

export function apiDestinationParams(destination: ApiDestinationRecord) {
  return {
    name: destination.name,
    arn: destination.arn,
    description: destination.description ?? null,
    connection_arn: destination.connectionArn,
    invocation_endpoint: destination.invocationEndpoint,
    http_method: destination.httpMethod,
    invocation_rate_limit_per_second: destination.invocationRateLimitPerSecond,
    created_at: destination.createdAt,
    updated_at: destination.updatedAt,
  };
}

export function apiDestinationFromRow(row: ApiDestinationRow): ApiDestinationRecord {
  return {
    name: row.name,
    arn: row.arn,
    ...(row.description === null ? {} : { description: row.description }),
    connectionArn: row.connection_arn,
    invocationEndpoint: row.invocation_endpoint,
    httpMethod: row.http_method,
    invocationRateLimitPerSecond: row.invocation_rate_limit_per_second,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface TaskTokenRow {
  token_hash: string;
  status: TaskStatus;
  created_at: number;
  timeout_at: number;
  heartbeat_ms: number | null;
  heartbeat_deadline: number | null;
  output: string | null;
  error: string | null;
  cause: string | null;
  closed_at: number | null;
}

export function taskTokenFromRow(row: TaskTokenRow): TaskTokenRecord {
  return {
    tokenHash: row.token_hash,
    status: row.status,
    createdAt: row.created_at,
    timeoutAt: row.timeout_at,
    ...(row.heartbeat_ms !== null && { heartbeatMs: row.heartbeat_ms }),
    ...(row.heartbeat_deadline !== null && { heartbeatDeadline: row.heartbeat_deadline }),
    ...(row.output !== null && { output: row.output }),
    ...(row.error !== null && { error: row.error }),
    ...(row.cause !== null && { cause: row.cause }),
    ...(row.closed_at !== null && { closedAt: row.closed_at }),
  };
}
