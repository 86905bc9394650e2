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
  AttemptRecord,
  DeliveryRecord,
  DeliveryStatus,
  EventBusRecord,
  EventRecord,
  NewDelivery,
  Page,
  RuleRecord,
  RuleState,
  Store,
  TagRecord,
  TargetRecord,
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
  'insert_event',
  'insert_delivery',
  'get_event',
  'claim_due_deliveries',
  'get_delivery',
  'list_deliveries',
  'list_deliveries_by_event',
  'list_deliveries_by_status',
  'insert_attempt',
  'advance_delivery',
  'release_deliveries',
  'list_attempts',
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

interface PendingAppend {
  batch: ReadonlyArray<{ event: EventRecord; deliveries: readonly NewDelivery[] }>;
  now: number;
  resolve: () => void;
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

  // --- group commit ------------------------------------------------------------------------------------
  // appendEvents calls made in one event-loop turn are queued and written by one IMMEDIATE transaction on
  // the next setImmediate: with synchronous=FULL every commit costs an fsync of the WAL, so N concurrent
  // PutEvents share one sync instead of queueing behind N. Measured with 10-event calls of 2 deliveries,
  // synchronous=FULL, ext4 VM disk: 1.5-2.5k calls/s one transaction per call; 3.5-4.3k with 8 concurrent
  // callers (8 calls per transaction); 4.9-5.4k with 64. Disks with slower fsync widen the gap.
  // Each call runs in its own SAVEPOINT, so a call that fails (a duplicate event id) rolls back alone and
  // rejects alone; the others in the group still commit. Promises settle only after COMMIT returned.
  let queue: PendingAppend[] = [];
  let scheduled: NodeJS.Immediate | undefined;
  let closed = false;
  const stats: SqliteStoreStats = { appendCalls: 0, appendTransactions: 0 };

  const writeCall = db.transaction((call: PendingAppend) => {
    for (const { event, deliveries } of call.batch) {
      sql.insert_event.run({
        id: event.id,
        bus_name: event.busName,
        envelope: event.envelope,
        ingested_at: event.ingestedAt,
      });
      for (const delivery of deliveries) {
        sql.insert_delivery.run({
          id: delivery.id,
          event_id: event.id,
          bus_name: event.busName,
          rule_name: delivery.ruleName,
          rule_arn: delivery.ruleArn,
          target_id: delivery.targetId,
          now: call.now,
        });
      }
    }
  });
  const writeGroup = db.transaction((group: readonly PendingAppend[]) => {
    const failures = new Map<PendingAppend, Error>();
    for (const call of group) {
      try {
        writeCall(call);
      } catch (error) {
        // SQLITE_FULL, IOERR, BUSY and NOMEM end the whole transaction: continuing would write the
        // following calls outside of it, so the group fails as one.
        if (!db.inTransaction) throw error;
        failures.set(call, toError(error));
      }
    }
    return failures;
  });
  const flush = (): void => {
    scheduled = undefined;
    const group = queue;
    queue = [];
    if (group.length === 0) return;
    stats.appendCalls += group.length;
    stats.appendTransactions += 1;
    let failures: Map<PendingAppend, Error>;
    try {
      failures = writeGroup.immediate(group);
    } catch (error) {
      const failure = toError(error);
      for (const call of group) call.reject(failure);
      return;
    }
    for (const call of group) {
      const failure = failures.get(call);
      if (failure === undefined) call.resolve();
      else call.reject(failure);
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

    // --- events and deliveries -----------------------------------------------------------------------
    appendEvents(batch, now) {
      if (closed) return Promise.reject(new StoreClosedError());
      if (batch.length === 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        // A copy, so that a caller reusing its array before the flush does not change what is written.
        queue.push({ batch: [...batch], now, resolve, reject });
        scheduled ??= setImmediate(flush);
      });
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
      const rows = sql.claim_due_deliveries.all({
        owner,
        now,
        lease_expires_at: now + leaseMs,
        limit,
      }) as DeliveryRow[];
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
      const after = decodeNumberPageToken(page.nextToken) ?? 0;
      const limit = page.limit + 1;
      const rows = (
        filter.eventId !== undefined
          ? sql.list_deliveries_by_event.all({
              event_id: filter.eventId,
              status: filter.status ?? null,
              after,
              limit,
            })
          : filter.status !== undefined
            ? sql.list_deliveries_by_status.all({ status: filter.status, after, limit })
            : sql.list_deliveries.all({ after, limit })
      ) as DeliveryRow[];
      return toPage(rows, page.limit, deliveryFromRow, (row) => row.seq);
    },
    async recordAttempt(owner, attempt, next, now) {
      assertOpen();
      return recordAttemptTx.immediate(owner, attempt, next, now);
    },
    async releaseDeliveries(owner, now) {
      assertOpen();
      return sql.release_deliveries.run({ owner, now }).changes;
    },
    async listAttempts(deliveryId) {
      assertOpen();
      return (sql.list_attempts.all({ delivery_id: deliveryId }) as AttemptRow[]).map(attemptFromRow);
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

interface BusRow {
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

interface RuleRow {
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

interface TargetRow {
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

interface AccessKeyRow {
  access_key_id: string;
  secret_ciphertext: string;
  description: string | null;
  created_at: number;
}

interface EventRow {
  id: string;
  bus_name: string;
  envelope: string;
  ingested_at: number;
}

interface DeliveryRow {
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

interface AttemptRow {
  delivery_id: string;
  attempt: number;
  started_at: number;
  duration_ms: number;
  outcome: AttemptRecord['outcome'];
  status_code: number | null;
  error: string | null;
  response_excerpt: string | null;
}

/** Rows come one more than the page size: the extra one only says that a next page exists. */
function toPage<Row, Item>(
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

function toJson(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

function busParams(bus: EventBusRecord) {
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

function busFromRow(row: BusRow): EventBusRecord {
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

function ruleParams(rule: RuleRecord) {
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

function ruleFromRow(row: RuleRow): RuleRecord {
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

function targetParams(busName: string, ruleName: string, target: TargetRecord) {
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

function targetFromRow(row: TargetRow): TargetRecord {
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

function accessKeyFromRow(row: AccessKeyRow): AccessKeyRecord {
  return {
    accessKeyId: row.access_key_id,
    secretCiphertext: row.secret_ciphertext,
    ...(row.description === null ? {} : { description: row.description }),
    createdAt: row.created_at,
  };
}

function deliveryFromRow(row: DeliveryRow): DeliveryRecord {
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

function attemptParams(attempt: AttemptRecord) {
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

function attemptFromRow(row: AttemptRow): AttemptRecord {
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
