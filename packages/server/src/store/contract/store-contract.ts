/**
 * The contract every Store implementation passes: one Vitest suite, run by each backend's test file
 * (test/store/sqlite.test.ts, later postgres.test.ts) with a factory that returns a fresh, empty store.
 * It uses nothing but the Store interface and the store's shared errors, so a backend passes it or
 * has a bug; where the interface leaves a choice open, the test pins the behaviour down and says so.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type {
  AccessKeyRecord,
  AttemptRecord,
  DeliveryFilter,
  DeliveryRecord,
  EventBusRecord,
  EventRecord,
  NewDelivery,
  NewQueueMessage,
  Page,
  PageRequest,
  QueueMessageRecord,
  QueueRecord,
  ReceiveQueueMessagesRequest,
  RuleRecord,
  Store,
  TargetRecord,
} from '../store.js';
import { describeConnectionsContract } from './connections-contract.js';
import { runInboundStoreContract } from './inbound-contract.js';
import { runArchivesContract } from './archives-contract.js';
import { describeTaskTokensContract } from './task-tokens-contract.js';

export interface StoreContractOptions {
  /**
   * Closes `store` and opens the same storage again. The durability tests run only when it is given
   * (a backend whose storage outlives the process); they are skipped, saying so, otherwise.
   */
  reopen?: (store: Store) => Promise<Store> | Store;
}

const ACCOUNT = 'arn:aws:events:us-east-1:000000000000';
/** An arbitrary epoch-ms origin, so that no test depends on the clock. */
const T0 = 1_700_000_000_000;
const LEASE_MS = 30_000;

type BatchItem = { event: EventRecord; deliveries: NewDelivery[]; archives?: string[] };

export function busRecord(name: string, fields: Partial<EventBusRecord> = {}): EventBusRecord {
  return { name, arn: `${ACCOUNT}:event-bus/${name}`, createdAt: T0, updatedAt: T0, ...fields };
}

export function ruleRecord(busName: string, name: string, fields: Partial<RuleRecord> = {}): RuleRecord {
  const path = busName === 'default' ? name : `${busName}/${name}`;
  return {
    busName,
    name,
    arn: `${ACCOUNT}:rule/${path}`,
    eventPattern: '{"source":["app"]}',
    state: 'ENABLED',
    createdBy: '000000000000',
    createdAt: T0,
    updatedAt: T0,
    ...fields,
  };
}

export function targetRecord(
  busName: string,
  ruleName: string,
  id: string,
  fields: Partial<TargetRecord> = {},
): TargetRecord {
  return { busName, ruleName, id, arn: `arn:aws:sqs:us-east-1:000000000000:${id}`, ...fields };
}

/** An event of `busName` with one delivery per target id (delivery ids `<eventId>/<targetId>`). */
export function eventItem(id: string, busName = 'default', targetIds: readonly string[] = ['t1']): BatchItem {
  return {
    event: {
      id,
      busName,
      envelope: JSON.stringify({ version: '0', id, 'detail-type': 'test', source: 'app', detail: {} }),
      ingestedAt: T0,
    },
    deliveries: targetIds.map((targetId) => ({
      id: `${id}/${targetId}`,
      ruleName: 'rule',
      ruleArn: `${ACCOUNT}:rule/rule`,
      targetId,
    })),
  };
}

export function queueRecord(name: string, fields: Partial<QueueRecord> = {}): QueueRecord {
  return {
    name,
    arn: `arn:aws:sqs:us-east-1:000000000000:${name}`,
    fifo: false,
    attributes: { VisibilityTimeout: '30' },
    createdAt: T0,
    updatedAt: T0,
    ...fields,
  };
}

/** A message visible at T0 whose body names it. */
export function newMessage(id: string, fields: Partial<NewQueueMessage> = {}): NewQueueMessage {
  return { id, body: `body of ${id}`, visibleAt: T0, ...fields };
}

/** SQS's FIFO deduplication: 5 minutes, queue-wide. */
const DEDUPLICATION = { windowMs: 300_000, scope: 'queue' } as const;
const VISIBILITY_MS = 30_000;

/** A copy of `record` without `keys` (absent, not undefined-valued). */
function omit<T extends object, K extends keyof T>(record: T, ...keys: K[]): Omit<T, K> {
  const copy: Partial<T> = { ...record };
  for (const key of keys) delete copy[key];
  return copy as Omit<T, K>;
}

/** Every page of a listing at one page size. */
async function collectPages<T>(list: (page: PageRequest) => Promise<Page<T>>, limit: number): Promise<T[][]> {
  const pages: T[][] = [];
  let nextToken: string | undefined;
  do {
    const page = await list(nextToken === undefined ? { limit } : { limit, nextToken });
    pages.push(page.items);
    nextToken = page.nextToken;
    if (pages.length > 10_000) throw new Error('pagination does not end');
  } while (nextToken !== undefined);
  return pages;
}

/**
 * Checks a listing at every page size from 1 to n + 1: the pages concatenate to `expected`, every page
 * but the last is full, and a token comes only when more items exist (none after an exactly full page).
 */
async function expectPaging<T>(list: (page: PageRequest) => Promise<Page<T>>, expected: readonly T[]) {
  for (let limit = 1; limit <= expected.length + 1; limit++) {
    const pages = await collectPages(list, limit);
    expect(pages.flat(), `limit ${limit}`).toStrictEqual(expected);
    expect(pages.length, `pages at limit ${limit}`).toBe(Math.max(1, Math.ceil(expected.length / limit)));
    for (const page of pages.slice(0, -1)) expect(page.length, `limit ${limit}`).toBe(limit);
  }
}

export function runStoreContract(
  name: string,
  createStore: () => Promise<Store> | Store,
  options: StoreContractOptions = {},
): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await createStore();
    });

    afterEach(async () => {
      await store.close();
    });

    /** Appends events (each with its deliveries) at `now`. */
    const append = (items: BatchItem[], now = T0) => store.appendEvents(items, now);

    /** Appends one event with one delivery and claims it: the start of every attempt test. */
    const appendAndClaim = async (eventId: string, owner = 'worker-a', now = T0): Promise<DeliveryRecord> => {
      await append([eventItem(eventId)], now);
      const claimed = await store.claimDueDeliveries(owner, now, LEASE_MS, 10);
      const delivery = claimed.find((d) => d.eventId === eventId);
      if (delivery === undefined) throw new Error(`delivery of ${eventId} was not claimed`);
      return delivery;
    };

    const attempt = (deliveryId: string, n: number, fields: Partial<AttemptRecord> = {}): AttemptRecord => ({
      deliveryId,
      attempt: n,
      startedAt: T0 + n,
      durationMs: 12,
      outcome: 'success',
      ...fields,
    });

    const idsOf = (deliveries: readonly DeliveryRecord[]) => deliveries.map((d) => d.id);

    describeConnectionsContract(() => store);
    describeTaskTokensContract(() => store);

    describe('buses', () => {
      it('stores a bus with every optional field and reads it back unchanged', async () => {
        const bus = busRecord('orders', {
          description: 'Order events',
          kmsKeyIdentifier: 'alias/busway',
          deadLetterConfig: { arn: 'arn:aws:sqs:us-east-1:000000000000:dlq' },
          logConfig: { includeDetail: 'FULL', level: 'INFO' },
          policy: '{"Version":"2012-10-17","Statement":[]}',
        });
        expect(await store.createBus(bus)).toBe('created');
        expect(await store.getBus('orders')).toStrictEqual(bus);
      });

      it('omits absent optional fields instead of returning undefined-valued keys', async () => {
        const bus = busRecord('plain');
        await store.createBus(bus);
        const stored = await store.getBus('plain');
        expect(stored).toStrictEqual(bus);
        expect(Object.keys(stored ?? {}).sort()).toStrictEqual(['arn', 'createdAt', 'name', 'updatedAt']);
      });

      it('answers exists for a taken name and keeps the first bus, without applying the tags', async () => {
        const first = busRecord('orders', { description: 'first' });
        await store.createBus(first);
        const second = busRecord('orders', { description: 'second', updatedAt: T0 + 1 });
        expect(await store.createBus(second, [{ key: 'team', value: 'b' }])).toBe('exists');
        expect(await store.getBus('orders')).toStrictEqual(first);
        expect(await store.getTags(first.arn)).toStrictEqual([]);
      });

      it('stores the tags given at creation', async () => {
        const bus = busRecord('orders');
        await store.createBus(bus, [
          { key: 'team', value: 'payments' },
          { key: 'env', value: 'prod' },
        ]);
        expect(await store.getTags(bus.arn)).toStrictEqual([
          { key: 'env', value: 'prod' },
          { key: 'team', value: 'payments' },
        ]);
      });

      it('returns undefined for an unknown bus', async () => {
        expect(await store.getBus('nope')).toBeUndefined();
      });

      it('updateBus replaces the mutable fields, clears omitted ones, and keeps arn and createdAt', async () => {
        await store.createBus(
          busRecord('orders', { description: 'old', policy: '{}', logConfig: { level: 'ERROR' } }),
        );
        const update = busRecord('orders', {
          arn: 'arn:ignored',
          createdAt: T0 + 99,
          updatedAt: T0 + 5,
          description: 'new',
          deadLetterConfig: { arn: 'arn:aws:sqs:us-east-1:000000000000:dlq' },
        });
        expect(await store.updateBus(update)).toBe('updated');
        expect(await store.getBus('orders')).toStrictEqual(
          busRecord('orders', {
            updatedAt: T0 + 5,
            description: 'new',
            deadLetterConfig: { arn: 'arn:aws:sqs:us-east-1:000000000000:dlq' },
          }),
        );
      });

      it('updateBus answers not-found for an unknown bus and creates nothing', async () => {
        expect(await store.updateBus(busRecord('ghost'))).toBe('not-found');
        expect(await store.getBus('ghost')).toBeUndefined();
      });

      it('lists buses in name order at every page size', async () => {
        const names = ['b', 'a', 'default', 'aws.partner/x', 'c-1', 'c_2', 'C'];
        for (const n of names) await store.createBus(busRecord(n));
        const expected = [...names].sort().map((n) => busRecord(n));
        await expectPaging((page) => store.listBuses(undefined, page), expected);
      });

      it('lists buses by a case-sensitive prefix in which _ and % are not wildcards', async () => {
        for (const n of ['order', 'orders', 'orders-eu', 'Orders', 'ordXrs', 'ord_rs', 'ord%', 'other']) {
          await store.createBus(busRecord(n));
        }
        const names = async (prefix: string, limit = 100) =>
          (await store.listBuses(prefix, { limit })).items.map((b) => b.name);
        expect(await names('orders')).toStrictEqual(['orders', 'orders-eu']);
        expect(await names('ord_')).toStrictEqual(['ord_rs']);
        expect(await names('ord%')).toStrictEqual(['ord%']);
        expect(await names('O')).toStrictEqual(['Orders']);
        expect(await names('zzz')).toStrictEqual([]);
        expect(await store.listBuses('zzz', { limit: 1 })).toStrictEqual({ items: [] });
        await expectPaging(
          (page) => store.listBuses('ord', page),
          ['ord%', 'ord_rs', 'ordXrs', 'order', 'orders', 'orders-eu'].sort().map((n) => busRecord(n)),
        );
      });

      it('continues a listing after its last item, even when that item was deleted in between', async () => {
        for (const n of ['a', 'b', 'c', 'd']) await store.createBus(busRecord(n));
        const first = await store.listBuses(undefined, { limit: 2 });
        expect(first.items.map((b) => b.name)).toStrictEqual(['a', 'b']);
        await store.deleteBus('b');
        await store.createBus(busRecord('a2'));
        const token = first.nextToken ?? '';
        const second = await store.listBuses(undefined, { limit: 2, nextToken: token });
        expect(second.items.map((b) => b.name)).toStrictEqual(['c', 'd']);
        expect(second.nextToken).toBeUndefined();
      });

      it('rejects a nextToken it did not issue', async () => {
        await store.createBus(busRecord('a'));
        for (const nextToken of ['not a token!', 'Zm9v', '']) {
          await expect(store.listBuses(undefined, { limit: 1, nextToken })).rejects.toMatchObject({
            code: 'STORE_INVALID_NEXT_TOKEN',
          });
        }
      });

      it('deleteBus removes the bus with its rules, targets and the tags of both; other buses keep theirs', async () => {
        const orders = busRecord('orders');
        const other = busRecord('other');
        await store.createBus(orders, [{ key: 'k', value: 'bus' }]);
        await store.createBus(other, [{ key: 'k', value: 'other' }]);
        const r1 = ruleRecord('orders', 'r1');
        const r2 = ruleRecord('orders', 'r2');
        const kept = ruleRecord('other', 'r1');
        await store.putRule(r1, [{ key: 'k', value: 'r1' }]);
        await store.putRule(r2);
        await store.putRule(kept, [{ key: 'k', value: 'kept' }]);
        await store.tagResource(r2.arn, [{ key: 'k', value: 'r2' }]);
        await store.putTargets('orders', 'r1', [targetRecord('orders', 'r1', 't1')]);
        await store.putTargets('other', 'r1', [targetRecord('other', 'r1', 't1')]);

        expect(await store.deleteBus('orders')).toBe('deleted');

        expect(await store.getBus('orders')).toBeUndefined();
        expect(await store.getRule('orders', 'r1')).toBeUndefined();
        expect(await store.countRules('orders')).toBe(0);
        expect(await store.getTargets('orders', 'r1')).toStrictEqual([]);
        for (const arn of [orders.arn, r1.arn, r2.arn]) expect(await store.getTags(arn)).toStrictEqual([]);
        expect(await store.getBus('other')).toStrictEqual(other);
        expect(await store.getRule('other', 'r1')).toStrictEqual(kept);
        expect(await store.getTargets('other', 'r1')).toStrictEqual([targetRecord('other', 'r1', 't1')]);
        expect(await store.getTags(other.arn)).toStrictEqual([{ key: 'k', value: 'other' }]);
        expect(await store.getTags(kept.arn)).toStrictEqual([{ key: 'k', value: 'kept' }]);
        expect((await store.listAllRules()).map((r) => r.arn)).toStrictEqual([kept.arn]);

        // A bus created again under the same name starts empty.
        expect(await store.createBus(orders)).toBe('created');
        expect(await store.listRules('orders', undefined, { limit: 10 })).toStrictEqual({ items: [] });
        expect(await store.getTags(orders.arn)).toStrictEqual([]);
      });

      it('deleteBus answers not-found for an unknown bus', async () => {
        expect(await store.deleteBus('ghost')).toBe('not-found');
        await store.createBus(busRecord('once'));
        expect(await store.deleteBus('once')).toBe('deleted');
        expect(await store.deleteBus('once')).toBe('not-found');
      });
    });

    describe('rules', () => {
      beforeEach(async () => {
        await store.createBus(busRecord('default'));
        await store.createBus(busRecord('orders'));
      });

      it('creates a rule with every optional field and its tags, and reads it back unchanged', async () => {
        const rule = ruleRecord('orders', 'all', {
          scheduleExpression: 'rate(5 minutes)',
          state: 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS',
          description: 'everything',
          roleArn: 'arn:aws:iam::000000000000:role/r',
          managedBy: 'busway.test',
        });
        expect(await store.putRule(rule, [{ key: 'team', value: 'a' }])).toBe('created');
        expect(await store.getRule('orders', 'all')).toStrictEqual(rule);
        expect(await store.getTags(rule.arn)).toStrictEqual([{ key: 'team', value: 'a' }]);
      });

      it('returns a minimal rule without undefined-valued keys', async () => {
        const minimal = omit(
          ruleRecord('default', 'scheduled', { scheduleExpression: 'rate(1 day)', state: 'DISABLED' }),
          'eventPattern',
        );
        await store.putRule(minimal);
        const stored = await store.getRule('default', 'scheduled');
        expect(stored).toStrictEqual(minimal);
        expect(stored).not.toHaveProperty('eventPattern');
        expect(stored).not.toHaveProperty('description');
      });

      it('putRule on an existing rule replaces its definition, keeps arn, createdBy and createdAt, and ignores tags', async () => {
        const original = ruleRecord('orders', 'r', { description: 'old', roleArn: 'arn:role' });
        await store.putRule(original, [{ key: 'k', value: 'v1' }]);
        const replacement = ruleRecord('orders', 'r', {
          arn: 'arn:ignored',
          eventPattern: '{"source":["other"]}',
          state: 'DISABLED',
          createdBy: '111111111111',
          createdAt: T0 + 50,
          updatedAt: T0 + 60,
        });
        expect(await store.putRule(replacement, [{ key: 'k', value: 'v2' }])).toBe('updated');
        expect(await store.getRule('orders', 'r')).toStrictEqual(
          ruleRecord('orders', 'r', {
            eventPattern: '{"source":["other"]}',
            state: 'DISABLED',
            updatedAt: T0 + 60,
          }),
        );
        expect(await store.getTags(original.arn)).toStrictEqual([{ key: 'k', value: 'v1' }]);
      });

      it('returns undefined for an unknown rule or bus', async () => {
        await store.putRule(ruleRecord('orders', 'r'));
        expect(await store.getRule('orders', 'other')).toBeUndefined();
        expect(await store.getRule('default', 'r')).toBeUndefined();
        expect(await store.getRule('ghost', 'r')).toBeUndefined();
      });

      it("lists one bus's rules in name order, by prefix, at every page size", async () => {
        const names = ['r-3', 'r-1', 'other', 'r-2', 'R', 'r_x'];
        for (const n of names) await store.putRule(ruleRecord('orders', n));
        await store.putRule(ruleRecord('default', 'r-0'));
        const expected = [...names].sort().map((n) => ruleRecord('orders', n));
        await expectPaging((page) => store.listRules('orders', undefined, page), expected);
        await expectPaging(
          (page) => store.listRules('orders', 'r-', page),
          ['r-1', 'r-2', 'r-3'].map((n) => ruleRecord('orders', n)),
        );
        await expectPaging((page) => store.listRules('orders', 'zzz', page), []);
        await expectPaging((page) => store.listRules('ghost', undefined, page), []);
      });

      it('lists every rule of every bus, by bus then name', async () => {
        await store.putRule(ruleRecord('orders', 'b'));
        await store.putRule(ruleRecord('default', 'z'));
        await store.putRule(ruleRecord('orders', 'a'));
        expect(await store.listAllRules()).toStrictEqual([
          ruleRecord('default', 'z'),
          ruleRecord('orders', 'a'),
          ruleRecord('orders', 'b'),
        ]);
      });

      it('counts the rules of a bus', async () => {
        expect(await store.countRules('orders')).toBe(0);
        for (const n of ['a', 'b', 'c']) await store.putRule(ruleRecord('orders', n));
        await store.putRule(ruleRecord('orders', 'a', { state: 'DISABLED' }));
        await store.putRule(ruleRecord('default', 'a'));
        expect(await store.countRules('orders')).toBe(3);
        expect(await store.countRules('ghost')).toBe(0);
      });

      it('deleteRule removes the rule with its targets and tags, and nothing of other rules', async () => {
        const doomed = ruleRecord('orders', 'doomed');
        const kept = ruleRecord('orders', 'kept');
        await store.putRule(doomed, [{ key: 'k', value: 'v' }]);
        await store.putRule(kept, [{ key: 'k', value: 'v' }]);
        await store.putTargets('orders', 'doomed', [targetRecord('orders', 'doomed', 't1')]);
        await store.putTargets('orders', 'kept', [targetRecord('orders', 'kept', 't1')]);

        expect(await store.deleteRule('orders', 'doomed')).toBe('deleted');
        expect(await store.getRule('orders', 'doomed')).toBeUndefined();
        expect(await store.getTargets('orders', 'doomed')).toStrictEqual([]);
        expect(await store.getTags(doomed.arn)).toStrictEqual([]);
        expect(await store.getTargets('orders', 'kept')).toStrictEqual([
          targetRecord('orders', 'kept', 't1'),
        ]);
        expect(await store.getTags(kept.arn)).toStrictEqual([{ key: 'k', value: 'v' }]);

        // Created again, it has no targets left over.
        await store.putRule(doomed);
        expect(await store.getTargets('orders', 'doomed')).toStrictEqual([]);
      });

      it('deleteRule answers not-found for an unknown rule', async () => {
        expect(await store.deleteRule('orders', 'ghost')).toBe('not-found');
        expect(await store.deleteRule('ghost', 'ghost')).toBe('not-found');
      });
    });

    describe('targets', () => {
      beforeEach(async () => {
        await store.createBus(busRecord('orders'));
        await store.createBus(busRecord('other'));
        for (const r of ['r1', 'r2', 'r3']) await store.putRule(ruleRecord('orders', r));
        await store.putRule(ruleRecord('other', 'r1'));
      });

      it('stores targets with every field, JSON-shaped ones included, and returns them in id order', async () => {
        const full = targetRecord('orders', 'r1', 'b-full', {
          roleArn: 'arn:aws:iam::000000000000:role/t',
          input: '{"fixed":true}',
          inputPath: '$.detail',
          inputTransformer: { inputPathsMap: { id: '$.id' }, inputTemplate: '{"id": <id>}' },
          retryPolicy: { maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 },
          deadLetterConfig: { arn: 'arn:aws:sqs:us-east-1:000000000000:dlq' },
          parameters: {
            HttpParameters: { HeaderParameters: { 'x-a': '1' }, QueryStringParameters: {} },
            SqsParameters: { MessageGroupId: 'g' },
            nested: [1, 'two', null, { deep: [true] }],
          },
        });
        const minimal = targetRecord('orders', 'r1', 'a-min');
        await store.putTargets('orders', 'r1', [full, minimal]);
        const stored = await store.getTargets('orders', 'r1');
        expect(stored).toStrictEqual([minimal, full]);
        expect(Object.keys(stored[0] ?? {}).sort()).toStrictEqual(['arn', 'busName', 'id', 'ruleName']);
      });

      it('putTargets replaces a target with the same id, fields it lacks included', async () => {
        await store.putTargets('orders', 'r1', [
          targetRecord('orders', 'r1', 't1', { input: '{}', retryPolicy: { maximumRetryAttempts: 3 } }),
          targetRecord('orders', 'r1', 't2'),
        ]);
        const replaced = targetRecord('orders', 'r1', 't1', { arn: 'arn:aws:lambda:us-east-1:0:function:f' });
        await store.putTargets('orders', 'r1', [replaced]);
        expect(await store.getTargets('orders', 'r1')).toStrictEqual([
          replaced,
          targetRecord('orders', 'r1', 't2'),
        ]);
      });

      it('keeps the targets of each rule apart', async () => {
        await store.putTargets('orders', 'r1', [targetRecord('orders', 'r1', 't1')]);
        await store.putTargets('orders', 'r2', [targetRecord('orders', 'r2', 't1', { input: '"2"' })]);
        await store.putTargets('other', 'r1', [targetRecord('other', 'r1', 't1', { input: '"o"' })]);
        expect(await store.getTargets('orders', 'r1')).toStrictEqual([targetRecord('orders', 'r1', 't1')]);
        expect(await store.getTargets('orders', 'r2')).toStrictEqual([
          targetRecord('orders', 'r2', 't1', { input: '"2"' }),
        ]);
        expect(await store.getTargets('orders', 'r3')).toStrictEqual([]);
        expect(await store.getTargets('ghost', 'r1')).toStrictEqual([]);
      });

      it('removeTargets returns, in the order given, only the ids that existed', async () => {
        await store.putTargets(
          'orders',
          'r1',
          ['t1', 't2', 't3'].map((id) => targetRecord('orders', 'r1', id)),
        );
        await store.putTargets('orders', 'r2', [targetRecord('orders', 'r2', 't9')]);
        expect(await store.removeTargets('orders', 'r1', ['t3', 'ghost', 't1', 't9'])).toStrictEqual([
          't3',
          't1',
        ]);
        expect(await store.getTargets('orders', 'r1')).toStrictEqual([targetRecord('orders', 'r1', 't2')]);
        expect(await store.getTargets('orders', 'r2')).toStrictEqual([targetRecord('orders', 'r2', 't9')]);
        expect(await store.removeTargets('orders', 'r1', [])).toStrictEqual([]);
        expect(await store.removeTargets('ghost', 'r1', ['t2'])).toStrictEqual([]);
      });

      it('lists targets in id order at every page size', async () => {
        const ids = ['t3', 't1', 'a', 't2', 'T'];
        await store.putTargets(
          'orders',
          'r1',
          ids.map((id) => targetRecord('orders', 'r1', id)),
        );
        await store.putTargets('orders', 'r2', [targetRecord('orders', 'r2', 'zz')]);
        await expectPaging(
          (page) => store.listTargets('orders', 'r1', page),
          [...ids].sort().map((id) => targetRecord('orders', 'r1', id)),
        );
        await expectPaging((page) => store.listTargets('orders', 'r3', page), []);
      });

      it('lists, in name order and by pages, the rules of one bus with a target of an ARN', async () => {
        const arn = 'arn:aws:sqs:us-east-1:000000000000:shared';
        await store.putTargets('orders', 'r3', [targetRecord('orders', 'r3', 'x', { arn })]);
        await store.putTargets('orders', 'r1', [
          targetRecord('orders', 'r1', 'x', { arn }),
          targetRecord('orders', 'r1', 'y', { arn }),
        ]);
        await store.putTargets('orders', 'r2', [targetRecord('orders', 'r2', 'x')]);
        await store.putTargets('other', 'r1', [targetRecord('other', 'r1', 'x', { arn })]);
        await expectPaging((page) => store.listRuleNamesByTarget('orders', arn, page), ['r1', 'r3']);
        await expectPaging((page) => store.listRuleNamesByTarget('other', arn, page), ['r1']);
        await expectPaging((page) => store.listRuleNamesByTarget('orders', 'arn:none', page), []);
      });
    });

    describe('tags', () => {
      const arn = `${ACCOUNT}:event-bus/tagged`;

      it('has no tags for an unknown resource', async () => {
        expect(await store.getTags(arn)).toStrictEqual([]);
      });

      it('adds and overwrites tags, returning them in key order', async () => {
        await store.tagResource(arn, [
          { key: 'b', value: '1' },
          { key: 'a', value: '2' },
        ]);
        await store.tagResource(arn, [
          { key: 'b', value: 'changed' },
          { key: 'c', value: '' },
        ]);
        expect(await store.getTags(arn)).toStrictEqual([
          { key: 'a', value: '2' },
          { key: 'b', value: 'changed' },
          { key: 'c', value: '' },
        ]);
      });

      it('removes the keys given, ignores unknown keys, and keeps other resources apart', async () => {
        const other = `${ACCOUNT}:event-bus/other`;
        await store.tagResource(arn, [
          { key: 'a', value: '1' },
          { key: 'b', value: '2' },
          { key: 'c', value: '3' },
        ]);
        await store.tagResource(other, [{ key: 'a', value: 'x' }]);
        await store.untagResource(arn, ['a', 'c', 'missing']);
        expect(await store.getTags(arn)).toStrictEqual([{ key: 'b', value: '2' }]);
        expect(await store.getTags(other)).toStrictEqual([{ key: 'a', value: 'x' }]);
        await store.untagResource(arn, []);
        await store.untagResource(`${ACCOUNT}:event-bus/ghost`, ['a']);
        expect(await store.getTags(arn)).toStrictEqual([{ key: 'b', value: '2' }]);
      });
    });

    describe('access keys', () => {
      const key = (id: string, fields: Partial<AccessKeyRecord> = {}): AccessKeyRecord => ({
        accessKeyId: id,
        secretCiphertext: `ciphertext-of-${id}`,
        createdAt: T0,
        ...fields,
      });

      it('creates, reads, lists and deletes access keys', async () => {
        const described = key('AKIDB', { description: 'ci', createdAt: T0 + 1 });
        expect(await store.createAccessKey(described)).toBe('created');
        expect(await store.createAccessKey(key('AKIDA', { createdAt: T0 + 2 }))).toBe('created');
        expect(await store.createAccessKey(key('AKIDC'))).toBe('created');
        expect(await store.getAccessKey('AKIDB')).toStrictEqual(described);
        expect(await store.getAccessKey('AKIDA')).toStrictEqual(key('AKIDA', { createdAt: T0 + 2 }));
        expect(await store.getAccessKey('ghost')).toBeUndefined();
        // Oldest first.
        expect((await store.listAccessKeys()).map((k) => k.accessKeyId)).toStrictEqual([
          'AKIDC',
          'AKIDB',
          'AKIDA',
        ]);
        expect(await store.deleteAccessKey('AKIDB')).toBe('deleted');
        expect(await store.deleteAccessKey('AKIDB')).toBe('not-found');
        expect(await store.getAccessKey('AKIDB')).toBeUndefined();
        expect((await store.listAccessKeys()).map((k) => k.accessKeyId)).toStrictEqual(['AKIDC', 'AKIDA']);
      });

      it('answers exists for a taken id and keeps the first key', async () => {
        await store.createAccessKey(key('AKID'));
        expect(await store.createAccessKey(key('AKID', { secretCiphertext: 'other' }))).toBe('exists');
        expect(await store.getAccessKey('AKID')).toStrictEqual(key('AKID'));
      });

      it('lists no keys in a new store', async () => {
        expect(await store.listAccessKeys()).toStrictEqual([]);
      });
    });

    runInboundStoreContract(() => store);

    describe('events', () => {
      it('stores events with pending deliveries due at now', async () => {
        const items = [eventItem('e1', 'orders', ['t1', 't2']), eventItem('e2', 'default', [])];
        await append(items, T0 + 7);
        expect(await store.getEvent('e1')).toStrictEqual(items[0]?.event);
        expect(await store.getEvent('e2')).toStrictEqual(items[1]?.event);
        const delivery: DeliveryRecord = {
          id: 'e1/t1',
          eventId: 'e1',
          busName: 'orders',
          ruleName: 'rule',
          ruleArn: `${ACCOUNT}:rule/rule`,
          targetId: 't1',
          status: 'pending',
          attempts: 0,
          dueAt: T0 + 7,
          createdAt: T0 + 7,
          updatedAt: T0 + 7,
        };
        expect(await store.getDelivery('e1/t1')).toStrictEqual(delivery);
        expect(await store.getDelivery('e1/t2')).toStrictEqual({ ...delivery, id: 'e1/t2', targetId: 't2' });
        expect((await store.listDeliveries({ eventId: 'e2' }, { limit: 10 })).items).toStrictEqual([]);
      });

      it('returns undefined for an unknown event or delivery', async () => {
        expect(await store.getEvent('ghost')).toBeUndefined();
        expect(await store.getDelivery('ghost')).toBeUndefined();
      });

      it('accepts an empty batch', async () => {
        await expect(store.appendEvents([], T0)).resolves.toBeUndefined();
      });

      it('rejects a batch whose event id is already stored, and stores none of that batch', async () => {
        await append([eventItem('e1')]);
        const duplicate = eventItem('e1', 'other');
        await expect(append([eventItem('e2'), duplicate, eventItem('e3')])).rejects.toThrow();
        expect(await store.getEvent('e1')).toStrictEqual(eventItem('e1').event);
        expect(await store.getEvent('e2')).toBeUndefined();
        expect(await store.getEvent('e3')).toBeUndefined();
        expect(await store.getDelivery('e2/t1')).toBeUndefined();
        expect(idsOf((await store.listDeliveries({}, { limit: 10 })).items)).toStrictEqual(['e1/t1']);
      });

      it('rejects a batch that repeats an event id or a delivery id, and stores none of it', async () => {
        await expect(append([eventItem('e1'), eventItem('e2'), eventItem('e1')])).rejects.toThrow();
        const repeatedDelivery = eventItem('e4');
        repeatedDelivery.deliveries.push({ id: 'e3/t1', ruleName: 'rule', ruleArn: 'arn:r', targetId: 't9' });
        await expect(append([eventItem('e3'), repeatedDelivery])).rejects.toThrow();
        for (const id of ['e1', 'e2', 'e3', 'e4']) expect(await store.getEvent(id)).toBeUndefined();
        expect((await store.listDeliveries({}, { limit: 10 })).items).toStrictEqual([]);
      });

      it('fails only the bad call among concurrent calls', async () => {
        await append([eventItem('taken')]);
        const results = await Promise.allSettled([
          append([eventItem('a1'), eventItem('a2')]),
          append([eventItem('b1'), eventItem('taken')]),
          append([eventItem('c1')]),
        ]);
        expect(results.map((r) => r.status)).toStrictEqual(['fulfilled', 'rejected', 'fulfilled']);
        for (const id of ['a1', 'a2', 'c1']) expect(await store.getEvent(id)).toBeDefined();
        expect(await store.getEvent('b1')).toBeUndefined();
        expect(await store.getDelivery('b1/t1')).toBeUndefined();
      });

      it('stores every one of many concurrent calls once each has resolved', async () => {
        const calls = Array.from({ length: 200 }, (_, i) =>
          append([eventItem(`c${i}-a`, 'default', ['t1', 't2']), eventItem(`c${i}-b`)], T0 + i),
        );
        await Promise.all(calls);
        for (let i = 0; i < 200; i += 1) {
          expect(await store.getEvent(`c${i}-a`)).toBeDefined();
          expect(await store.getEvent(`c${i}-b`)).toBeDefined();
          expect((await store.getDelivery(`c${i}-a/t2`))?.dueAt).toBe(T0 + i);
        }
        const all = await collectPages((page) => store.listDeliveries({}, page), 500);
        expect(all.flat()).toHaveLength(600);
      });
    });

    describe('deliveries', () => {
      it('lists deliveries in creation order, by event, by status, or both, at every page size', async () => {
        await append([eventItem('e1', 'default', ['t1', 't2', 't3'])], T0);
        await append([eventItem('e2', 'default', ['t1', 't2'])], T0 + 1);
        await append([eventItem('e3', 'default', ['t1'])], T0 + 2);
        const claimed = await store.claimDueDeliveries('w', T0, LEASE_MS, 2);
        expect(idsOf(claimed)).toStrictEqual(['e1/t1', 'e1/t2']);

        const list = (filter: Parameters<Store['listDeliveries']>[0]) => (page: PageRequest) =>
          store.listDeliveries(filter, page);
        const all = (await store.listDeliveries({}, { limit: 100 })).items;
        expect(idsOf(all)).toStrictEqual(['e1/t1', 'e1/t2', 'e1/t3', 'e2/t1', 'e2/t2', 'e3/t1']);
        await expectPaging(list({}), all);
        await expectPaging(
          list({ eventId: 'e1' }),
          all.filter((d) => d.eventId === 'e1'),
        );
        await expectPaging(
          list({ status: 'pending' }),
          all.filter((d) => d.status === 'pending'),
        );
        await expectPaging(
          list({ status: 'in-flight' }),
          all.filter((d) => d.status === 'in-flight'),
        );
        await expectPaging(
          list({ eventId: 'e1', status: 'pending' }),
          all.filter((d) => d.id === 'e1/t3'),
        );
        await expectPaging(list({ eventId: 'ghost' }), []);
        await expectPaging(list({ status: 'dead-lettered' }), []);
      });

      it('filters deliveries by bus, rule and target, alone and with event and status, at every page size', async () => {
        /** An event of `busName` with one delivery per `[rule, target]` (ids `<event>/<rule>/<target>`). */
        const routed = (id: string, busName: string, routes: Array<[string, string]>): BatchItem => ({
          event: { ...eventItem(id, busName).event },
          deliveries: routes.map(([ruleName, targetId]) => ({
            id: `${id}/${ruleName}/${targetId}`,
            ruleName,
            ruleArn: `${ACCOUNT}:rule/${busName}/${ruleName}`,
            targetId,
          })),
        });
        await append([
          routed('e1', 'orders', [
            ['r1', 't1'],
            ['r1', 't2'],
            ['r2', 't1'],
          ]),
          routed('e2', 'billing', [
            ['r1', 't1'],
            ['r3', 't2'],
          ]),
        ]);
        await append([
          routed('e3', 'orders', [
            ['r1', 't1'],
            ['r2', 't2'],
          ]),
        ]);
        // Move a few on, so the status filter has something to tell apart.
        const claimed = await store.claimDueDeliveries('w', T0, LEASE_MS, 100);
        for (const d of claimed.filter((d) => d.targetId === 't1')) {
          await store.recordAttempt('w', attempt(d.id, 1), { status: 'delivered' }, T0 + 1);
        }
        await store.recordAttempt(
          'w',
          attempt('e3/r2/t2', 1, { outcome: 'permanent-failure' }),
          { status: 'failed', error: 'HTTP 400' },
          T0 + 1,
        );
        const all = await store.listDeliveries({}, { limit: 100 });
        expect(all.items).toHaveLength(7);
        const list = (filter: DeliveryFilter) => (page: PageRequest) => store.listDeliveries(filter, page);
        const cases: DeliveryFilter[] = [
          { busName: 'orders' },
          { busName: 'billing' },
          { busName: 'orders', ruleName: 'r1' },
          { busName: 'orders', ruleName: 'r1', targetId: 't2' },
          { busName: 'orders', ruleName: 'r2', status: 'failed' },
          { busName: 'orders', ruleName: 'r1', status: 'delivered' },
          { busName: 'orders', targetId: 't1' },
          { ruleName: 'r1' },
          { targetId: 't2' },
          { status: 'in-flight', busName: 'orders' },
          { status: 'delivered', ruleName: 'r1', targetId: 't1' },
          { eventId: 'e1', ruleName: 'r1' },
          { eventId: 'e1', busName: 'billing' },
          { eventId: 'e3', targetId: 't2', status: 'failed' },
          { busName: 'orders', ruleName: 'ghost' },
          { busName: 'ghost', ruleName: 'r1' },
        ];
        for (const filter of cases) {
          const expected = all.items.filter(
            (d) =>
              (filter.eventId === undefined || d.eventId === filter.eventId) &&
              (filter.status === undefined || d.status === filter.status) &&
              (filter.busName === undefined || d.busName === filter.busName) &&
              (filter.ruleName === undefined || d.ruleName === filter.ruleName) &&
              (filter.targetId === undefined || d.targetId === filter.targetId),
          );
          await expectPaging(list(filter), expected);
        }
        // Spot checks that the reference filter above is not vacuous.
        expect(
          idsOf((await store.listDeliveries({ busName: 'orders', ruleName: 'r1' }, { limit: 10 })).items),
        ).toStrictEqual(['e1/r1/t1', 'e1/r1/t2', 'e3/r1/t1']);
        expect(
          idsOf((await store.listDeliveries({ ruleName: 'r1', targetId: 't1' }, { limit: 10 })).items),
        ).toStrictEqual(['e1/r1/t1', 'e2/r1/t1', 'e3/r1/t1']);
        expect(
          idsOf((await store.listDeliveries({ busName: 'orders', status: 'failed' }, { limit: 10 })).items),
        ).toStrictEqual(['e3/r2/t2']);
      });

      it('rejects a deliveries nextToken it did not issue', async () => {
        await append([eventItem('e1', 'default', ['t1', 't2'])]);
        await expect(store.listDeliveries({}, { limit: 1, nextToken: '%%%' })).rejects.toMatchObject({
          code: 'STORE_INVALID_NEXT_TOKEN',
        });
      });

      it('claims due pending deliveries: in flight, leased to the owner, attempts unchanged', async () => {
        await append([eventItem('e1', 'default', ['t1', 't2'])], T0);
        expect(await store.claimDueDeliveries('w', T0 - 1, LEASE_MS, 10)).toStrictEqual([]);
        const claimed = await store.claimDueDeliveries('w', T0 + 5, LEASE_MS, 10);
        const expected = (id: string, targetId: string): DeliveryRecord => ({
          id,
          eventId: 'e1',
          busName: 'default',
          ruleName: 'rule',
          ruleArn: `${ACCOUNT}:rule/rule`,
          targetId,
          status: 'in-flight',
          attempts: 0,
          dueAt: T0,
          createdAt: T0,
          updatedAt: T0 + 5,
          leaseOwner: 'w',
          leaseExpiresAt: T0 + 5 + LEASE_MS,
        });
        expect(claimed).toStrictEqual([expected('e1/t1', 't1'), expected('e1/t2', 't2')]);
        expect(await store.getDelivery('e1/t1')).toStrictEqual(expected('e1/t1', 't1'));
        expect(await store.claimDueDeliveries('w2', T0 + 6, LEASE_MS, 10)).toStrictEqual([]);
      });

      it('claims at most limit deliveries, oldest due first, then in creation order', async () => {
        await append([eventItem('late')], T0 + 20);
        await append([eventItem('early', 'default', ['t1', 't2'])], T0 + 10);
        await append([eventItem('earliest')], T0);
        const first = await store.claimDueDeliveries('w', T0 + 100, LEASE_MS, 2);
        expect(idsOf(first)).toStrictEqual(['earliest/t1', 'early/t1']);
        const second = await store.claimDueDeliveries('w', T0 + 100, LEASE_MS, 2);
        expect(idsOf(second)).toStrictEqual(['early/t2', 'late/t1']);
        expect(await store.claimDueDeliveries('w', T0 + 100, LEASE_MS, 2)).toStrictEqual([]);
      });

      it('reclaims a delivery whose lease expired, for another owner, from the moment of expiry', async () => {
        const delivery = await appendAndClaim('e1', 'dead-worker', T0);
        const expiry = delivery.leaseExpiresAt ?? 0;
        expect(expiry).toBe(T0 + LEASE_MS);
        expect(await store.claimDueDeliveries('w2', expiry - 1, LEASE_MS, 10)).toStrictEqual([]);
        const reclaimed = await store.claimDueDeliveries('w2', expiry, LEASE_MS, 10);
        expect(reclaimed).toStrictEqual([
          {
            ...delivery,
            leaseOwner: 'w2',
            leaseExpiresAt: expiry + LEASE_MS,
            updatedAt: expiry,
          },
        ]);
      });

      it('hands each due delivery to exactly one of many concurrent claimers', async () => {
        await append(
          Array.from({ length: 40 }, (_, i) => eventItem(`e${i}`, 'default', ['t1', 't2'])),
          T0,
        );
        const claims = await Promise.all(
          Array.from({ length: 8 }, (_, i) => store.claimDueDeliveries(`w${i}`, T0, LEASE_MS, 15)),
        );
        const ids = claims.flatMap(idsOf);
        expect(ids).toHaveLength(80);
        expect(new Set(ids).size).toBe(80);
        for (const [i, claim] of claims.entries()) {
          for (const d of claim) expect(d.leaseOwner).toBe(`w${i}`);
        }
      });

      it('mixes expired leases and pending deliveries by due time', async () => {
        await append([eventItem('old')], T0);
        await store.claimDueDeliveries('dead-worker', T0, LEASE_MS, 1);
        await append([eventItem('newer')], T0 + 1);
        await append([eventItem('newest')], T0 + LEASE_MS + 5);
        const claimed = await store.claimDueDeliveries('w', T0 + LEASE_MS + 10, LEASE_MS, 10);
        expect(idsOf(claimed)).toStrictEqual(['old/t1', 'newer/t1', 'newest/t1']);
      });

      it('recordAttempt delivered: final, lease cleared, attempts counted, attempt listed', async () => {
        const delivery = await appendAndClaim('e1');
        const success = attempt(delivery.id, 1, { statusCode: 200, responseExcerpt: '{"ok":true}' });
        expect(await store.recordAttempt('worker-a', success, { status: 'delivered' }, T0 + 3)).toBe(
          'recorded',
        );
        expect(await store.getDelivery(delivery.id)).toStrictEqual({
          ...omit(delivery, 'leaseOwner', 'leaseExpiresAt'),
          status: 'delivered',
          attempts: 1,
          updatedAt: T0 + 3,
        });
        expect(await store.listAttempts(delivery.id)).toStrictEqual([success]);
        expect(await store.claimDueDeliveries('worker-b', T0 + 10 * LEASE_MS, LEASE_MS, 10)).toStrictEqual(
          [],
        );
      });

      it('recordAttempt pending: due again at retryAt with the error, then claimable and counted again', async () => {
        const delivery = await appendAndClaim('e1');
        const failure = attempt(delivery.id, 1, {
          outcome: 'retryable-failure',
          statusCode: 503,
          error: 'HTTP 503',
          durationMs: 2.5,
        });
        const next = { status: 'pending', retryAt: T0 + 1000, error: 'HTTP 503' } as const;
        expect(await store.recordAttempt('worker-a', failure, next, T0 + 4)).toBe('recorded');
        expect(await store.getDelivery(delivery.id)).toStrictEqual({
          ...omit(delivery, 'leaseOwner', 'leaseExpiresAt'),
          status: 'pending',
          attempts: 1,
          dueAt: T0 + 1000,
          updatedAt: T0 + 4,
          lastError: 'HTTP 503',
        });
        expect(await store.claimDueDeliveries('worker-b', T0 + 999, LEASE_MS, 10)).toStrictEqual([]);
        const [again] = await store.claimDueDeliveries('worker-b', T0 + 1000, LEASE_MS, 10);
        expect(again).toMatchObject({
          id: delivery.id,
          attempts: 1,
          leaseOwner: 'worker-b',
          lastError: 'HTTP 503',
        });
        const second = attempt(delivery.id, 2);
        expect(await store.recordAttempt('worker-b', second, { status: 'delivered' }, T0 + 1001)).toBe(
          'recorded',
        );
        expect(await store.getDelivery(delivery.id)).toMatchObject({ status: 'delivered', attempts: 2 });
        expect(await store.listAttempts(delivery.id)).toStrictEqual([failure, second]);
      });

      it.each(['failed', 'dead-lettered'] as const)(
        'recordAttempt %s: final with the error, never claimed again',
        async (status) => {
          const delivery = await appendAndClaim('e1');
          const failure = attempt(delivery.id, 1, {
            outcome: 'permanent-failure',
            statusCode: 400,
            error: 'bad',
          });
          expect(await store.recordAttempt('worker-a', failure, { status, error: 'HTTP 400' }, T0 + 2)).toBe(
            'recorded',
          );
          const stored = await store.getDelivery(delivery.id);
          expect(stored).toMatchObject({ status, attempts: 1, lastError: 'HTTP 400', updatedAt: T0 + 2 });
          expect(stored).not.toHaveProperty('leaseOwner');
          expect(stored).not.toHaveProperty('leaseExpiresAt');
          expect(await store.claimDueDeliveries('w', T0 + 10 * LEASE_MS, LEASE_MS, 10)).toStrictEqual([]);
          expect((await store.listDeliveries({ status }, { limit: 10 })).items).toStrictEqual([stored]);
        },
      );

      it('recordAttempt by a worker whose lease was taken over answers lease-lost, records the attempt, moves nothing', async () => {
        const delivery = await appendAndClaim('e1', 'slow-worker');
        const expiry = delivery.leaseExpiresAt ?? 0;
        const [takenOver] = await store.claimDueDeliveries('fast-worker', expiry, LEASE_MS, 10);
        const late = attempt(delivery.id, 1, { startedAt: T0 + 1 });
        expect(await store.recordAttempt('slow-worker', late, { status: 'delivered' }, expiry + 1)).toBe(
          'lease-lost',
        );
        expect(await store.getDelivery(delivery.id)).toStrictEqual(takenOver);
        expect(await store.listAttempts(delivery.id)).toStrictEqual([late]);
        // The new owner still completes it; both attempts stay on record, in attempt then record order.
        const own = attempt(delivery.id, 1, { startedAt: expiry + 2 });
        expect(await store.recordAttempt('fast-worker', own, { status: 'delivered' }, expiry + 3)).toBe(
          'recorded',
        );
        expect(await store.getDelivery(delivery.id)).toMatchObject({ status: 'delivered', attempts: 1 });
        expect(await store.listAttempts(delivery.id)).toStrictEqual([late, own]);
      });

      it('recordAttempt answers lease-lost when the delivery is not in flight for that owner', async () => {
        const delivery = await appendAndClaim('e1', 'worker-a');
        expect(
          await store.recordAttempt('worker-b', attempt(delivery.id, 1), { status: 'delivered' }, T0 + 1),
        ).toBe('lease-lost');
        await store.releaseDeliveries('worker-a', T0 + 2);
        expect(
          await store.recordAttempt('worker-a', attempt(delivery.id, 1), { status: 'delivered' }, T0 + 3),
        ).toBe('lease-lost');
        expect(await store.getDelivery(delivery.id)).toMatchObject({ status: 'pending', attempts: 0 });
        expect(await store.listAttempts(delivery.id)).toHaveLength(2);
        // An unknown delivery holds no lease; there is nothing to attach an attempt to.
        expect(await store.recordAttempt('worker-a', attempt('ghost', 1), { status: 'delivered' }, T0)).toBe(
          'lease-lost',
        );
        expect(await store.listAttempts('ghost')).toStrictEqual([]);
      });

      it('recordAttempt accepts the result of an expired lease that nobody took over', async () => {
        const delivery = await appendAndClaim('e1', 'worker-a');
        const late = (delivery.leaseExpiresAt ?? 0) + 1000;
        expect(
          await store.recordAttempt('worker-a', attempt(delivery.id, 1), { status: 'delivered' }, late),
        ).toBe('recorded');
        expect(await store.getDelivery(delivery.id)).toMatchObject({ status: 'delivered', updatedAt: late });
      });

      it("releaseDeliveries gives back only the owner's leases, pending and due now", async () => {
        await append(
          ['e1', 'e2', 'e3'].map((id) => eventItem(id)),
          T0,
        );
        await store.claimDueDeliveries('leaving', T0, LEASE_MS, 2);
        await store.claimDueDeliveries('staying', T0, LEASE_MS, 1);
        expect(await store.releaseDeliveries('leaving', T0 + 50)).toBe(2);
        for (const id of ['e1/t1', 'e2/t1']) {
          const released = await store.getDelivery(id);
          expect(released).toMatchObject({
            status: 'pending',
            dueAt: T0 + 50,
            updatedAt: T0 + 50,
            attempts: 0,
          });
          expect(released).not.toHaveProperty('leaseOwner');
          expect(released).not.toHaveProperty('leaseExpiresAt');
        }
        expect(await store.getDelivery('e3/t1')).toMatchObject({
          status: 'in-flight',
          leaseOwner: 'staying',
        });
        expect(await store.releaseDeliveries('leaving', T0 + 60)).toBe(0);
        expect(await store.releaseDeliveries('nobody', T0 + 60)).toBe(0);
        expect(idsOf(await store.claimDueDeliveries('next', T0 + 50, LEASE_MS, 10))).toStrictEqual([
          'e1/t1',
          'e2/t1',
        ]);
      });

      it('listLeaseOwners names each owner of an in-flight delivery once', async () => {
        expect(await store.listLeaseOwners()).toStrictEqual([]);
        await append(
          ['e1', 'e2', 'e3', 'e4'].map((id) => eventItem(id)),
          T0,
        );
        await store.claimDueDeliveries('worker-b', T0, LEASE_MS, 2);
        await store.claimDueDeliveries('worker-a', T0, LEASE_MS, 1);
        expect(await store.listLeaseOwners()).toStrictEqual(['worker-a', 'worker-b']);
        await store.releaseDeliveries('worker-b', T0 + 1);
        expect(await store.listLeaseOwners()).toStrictEqual(['worker-a']);
      });

      it('deferDelivery puts a leased delivery back until a time, without counting an attempt', async () => {
        const delivery = await appendAndClaim('e1', 'worker-a');
        expect(await store.deferDelivery('worker-b', delivery.id, T0 + 500, T0 + 1)).toBe('lease-lost');
        expect(await store.deferDelivery('worker-a', delivery.id, T0 + 500, T0 + 1)).toBe('deferred');
        const deferred = await store.getDelivery(delivery.id);
        expect(deferred).toMatchObject({
          status: 'pending',
          dueAt: T0 + 500,
          attempts: 0,
          updatedAt: T0 + 1,
        });
        expect(deferred).not.toHaveProperty('leaseOwner');
        expect(await store.deferDelivery('worker-a', delivery.id, T0 + 600, T0 + 2)).toBe('lease-lost');
        expect(await store.claimDueDeliveries('worker-a', T0 + 499, LEASE_MS, 10)).toStrictEqual([]);
        expect(idsOf(await store.claimDueDeliveries('worker-a', T0 + 500, LEASE_MS, 10))).toStrictEqual([
          'e1/t1',
        ]);
      });

      it('getNextDeliveryDue answers the earliest pending due time or lease expiry', async () => {
        expect(await store.getNextDeliveryDue()).toBeUndefined();
        await append([eventItem('e1', 'default', ['t1', 't2'])], T0);
        expect(await store.getNextDeliveryDue()).toBe(T0);
        const [first, second] = await store.claimDueDeliveries('w', T0, LEASE_MS, 2);
        expect(await store.getNextDeliveryDue()).toBe(T0 + LEASE_MS);
        await store.recordAttempt(
          'w',
          attempt(first!.id, 1, { outcome: 'retryable-failure' }),
          { status: 'pending', retryAt: T0 + 10, error: 'boom' },
          T0 + 1,
        );
        expect(await store.getNextDeliveryDue()).toBe(T0 + 10);
        await store.recordAttempt('w', attempt(second!.id, 1), { status: 'delivered' }, T0 + 2);
        await store.claimDueDeliveries('w', T0 + 10, LEASE_MS, 1);
        await store.recordAttempt('w', attempt(first!.id, 2), { status: 'delivered' }, T0 + 11);
        expect(await store.getNextDeliveryDue()).toBeUndefined();
      });

      it('countDueDeliveries counts pending deliveries due by a time, up to a cap', async () => {
        expect(await store.countDueDeliveries(T0, 10)).toBe(0);
        await append([eventItem('e1', 'default', ['t1', 't2', 't3'])], T0);
        await append([eventItem('e2', 'default', ['t1', 't2'])], T0 + 100);
        expect(await store.countDueDeliveries(T0, 10)).toBe(3);
        expect(await store.countDueDeliveries(T0 + 100, 10)).toBe(5);
        expect(await store.countDueDeliveries(T0 + 100, 4)).toBe(4);
        expect(await store.countDueDeliveries(T0 + 100, 0)).toBe(0);
        // In flight is not backlog.
        await store.claimDueDeliveries('w', T0, LEASE_MS, 2);
        expect(await store.countDueDeliveries(T0 + 100, 10)).toBe(3);
      });

      it('fireSchedule fires each tick once, in one write with its event and deliveries', async () => {
        const arn = `${ACCOUNT}:rule/every-minute`;
        expect(await store.fireSchedule(arn, T0 + 60_000, eventItem('tick-1'), T0 + 60_001)).toBe('fired');
        expect(await store.fireSchedule(arn, T0 + 60_000, eventItem('tick-1b'), T0 + 60_002)).toBe(
          'already-fired',
        );
        // An earlier tick seen late (a slow node) does not fire either.
        expect(await store.fireSchedule(arn, T0, eventItem('tick-0'), T0 + 60_003)).toBe('already-fired');
        expect(await store.fireSchedule(arn, T0 + 120_000, eventItem('tick-2'), T0 + 120_001)).toBe('fired');
        expect(await store.fireSchedule(`${arn}-other`, T0 + 60_000, eventItem('other-1'), T0)).toBe('fired');
        for (const id of ['tick-1', 'tick-2', 'other-1']) {
          expect(await store.getEvent(id)).toMatchObject({ id });
          expect(await store.getDelivery(`${id}/t1`)).toMatchObject({ status: 'pending' });
        }
        for (const id of ['tick-1b', 'tick-0']) expect(await store.getEvent(id)).toBeUndefined();
      });

      it('pruneEvents deletes old events whose deliveries are final, with their deliveries and attempts', async () => {
        const at = (item: BatchItem, ingestedAt: number): BatchItem => ({
          ...item,
          event: { ...item.event, ingestedAt },
        });
        // old-done: delivered; old-failed: failed for good; old-pending: still to deliver; old-leased: in
        // flight; old-none: matched no rule; new-done: delivered but recent.
        await append(
          [
            at(eventItem('old-done'), T0),
            at(eventItem('old-failed'), T0),
            at(eventItem('old-pending'), T0),
            at(eventItem('old-leased'), T0),
            at(eventItem('old-none', 'default', []), T0),
            at(eventItem('new-done'), T0 + 10_000),
          ],
          T0,
        );
        const claimed = await store.claimDueDeliveries('worker-a', T0, LEASE_MS, 10);
        expect(claimed).toHaveLength(5);
        for (const id of ['old-done', 'new-done']) {
          const delivered = attempt(`${id}/t1`, 1);
          expect(await store.recordAttempt('worker-a', delivered, { status: 'delivered' }, T0)).toBe(
            'recorded',
          );
        }
        const failed = attempt('old-failed/t1', 1, { outcome: 'permanent-failure', error: 'HTTP 400' });
        expect(
          await store.recordAttempt('worker-a', failed, { status: 'failed', error: 'HTTP 400' }, T0),
        ).toBe('recorded');
        expect(await store.deferDelivery('worker-a', 'old-pending/t1', T0 + 1, T0)).toBe('deferred');

        const window = (afterSeq: number, limit = 100) => ({ afterSeq, limit });
        const first = await store.pruneEvents(T0 + 5_000, window(0));
        // new-done is within retention: the window reached recent events, so the pass is done.
        expect(first).toMatchObject({ deleted: 3, done: true });
        expect(first.lastSeq).toBeGreaterThan(0);
        for (const id of ['old-done', 'old-failed', 'old-none']) {
          expect(await store.getEvent(id)).toBeUndefined();
        }
        expect(await store.getDelivery('old-done/t1')).toBeUndefined();
        expect(await store.listAttempts('old-done/t1')).toStrictEqual([]);
        for (const id of ['old-pending', 'old-leased', 'new-done']) {
          expect(await store.getEvent(id)).toMatchObject({ id });
        }
        expect(await store.getDelivery('old-leased/t1')).toMatchObject({ status: 'in-flight' });
        expect((await store.pruneEvents(T0 + 5_000, window(0))).deleted).toBe(0);
        // Window by window: an event kept back is stepped over, not read again and again.
        const held = await store.pruneEvents(T0 + 20_000, window(0, 1));
        expect(held).toMatchObject({ deleted: 0, done: false });
        const done = attempt('old-leased/t1', 1);
        expect(await store.recordAttempt('worker-a', done, { status: 'delivered' }, T0)).toBe('recorded');
        const rest = await store.pruneEvents(T0 + 20_000, window(held.lastSeq!, 10));
        expect(rest).toMatchObject({ deleted: 2, done: false });
        expect(await store.pruneEvents(T0 + 20_000, window(rest.lastSeq!, 10))).toStrictEqual({
          deleted: 0,
          done: true,
        });
        expect(await store.getEvent('old-pending')).toMatchObject({ id: 'old-pending' });
        expect(await store.getEvent('new-done')).toBeUndefined();
      });

      it('pruneEvents keeps events an archive holds until the archive lets them go', async () => {
        const archive = {
          name: 'keep',
          arn: `${ACCOUNT}:archive/keep`,
          busName: 'default',
          eventSourceArn: `${ACCOUNT}:event-bus/default`,
          retentionDays: 0,
          state: 'ENABLED' as const,
          createdAt: T0,
          updatedAt: T0,
        };
        expect(await store.createArchive(archive)).toBe('created');
        await append([
          { ...eventItem('archived', 'default', []), archives: ['keep'] },
          eventItem('plain', 'default', []),
        ]);
        expect(await store.pruneEvents(T0 + 1, { afterSeq: 0, limit: 100 })).toMatchObject({ deleted: 1 });
        expect(await store.getEvent('archived')).toMatchObject({ id: 'archived' });
        expect(await store.getEvent('plain')).toBeUndefined();
        expect(await store.pruneArchive('keep', T0 + 1)).toBe(1);
        expect(await store.pruneEvents(T0 + 1, { afterSeq: 0, limit: 100 })).toMatchObject({ deleted: 1 });
        expect(await store.getEvent('archived')).toBeUndefined();
      });

      it('lists attempts by attempt number, with optional fields only when present', async () => {
        const delivery = await appendAndClaim('e1');
        const attempts = [
          attempt(delivery.id, 1, { outcome: 'retryable-failure', error: 'timeout', durationMs: 5000 }),
          attempt(delivery.id, 2, {
            outcome: 'retryable-failure',
            statusCode: 502,
            responseExcerpt: 'Bad gateway',
          }),
          attempt(delivery.id, 3, { statusCode: 204 }),
        ];
        for (const [i, a] of attempts.entries()) {
          const last = i === attempts.length - 1;
          const next = last
            ? ({ status: 'delivered' } as const)
            : ({ status: 'pending', retryAt: T0, error: 'x' } as const);
          expect(await store.recordAttempt('worker-a', a, next, T0 + i)).toBe('recorded');
          if (!last) await store.claimDueDeliveries('worker-a', T0 + i, LEASE_MS, 1);
        }
        const listed = await store.listAttempts(delivery.id);
        expect(listed).toStrictEqual(attempts);
        expect(Object.keys(listed[0] ?? {}).sort()).toStrictEqual([
          'attempt',
          'deliveryId',
          'durationMs',
          'error',
          'outcome',
          'startedAt',
        ]);
        expect(await store.getDelivery(delivery.id)).toMatchObject({ status: 'delivered', attempts: 3 });
        expect(await store.listAttempts('ghost')).toStrictEqual([]);
      });
    });

    describe('queues', () => {
      it('creates a queue and reads it back unchanged; a taken name is exists and changes nothing', async () => {
        const queue = queueRecord('orders.fifo', {
          fifo: true,
          attributes: { FifoQueue: 'true', VisibilityTimeout: '30', RedrivePolicy: '{"a":1}' },
        });
        expect(await store.createQueue(queue, [{ key: 'team', value: 'a' }])).toBe('created');
        expect(await store.getQueue('orders.fifo')).toStrictEqual(queue);
        expect(await store.getTags(queue.arn)).toStrictEqual([{ key: 'team', value: 'a' }]);
        const second = queueRecord('orders.fifo', {
          attributes: { VisibilityTimeout: '5' },
          createdAt: T0 + 1,
        });
        expect(await store.createQueue(second, [{ key: 'team', value: 'b' }])).toBe('exists');
        expect(await store.getQueue('orders.fifo')).toStrictEqual(queue);
        expect(await store.getTags(queue.arn)).toStrictEqual([{ key: 'team', value: 'a' }]);
        expect(await store.getQueue('ghost')).toBeUndefined();
      });

      it('lists queues in name order, by a case-sensitive prefix without wildcards, at every page size', async () => {
        const names = ['b', 'a_1', 'a-1', 'aX', 'A', 'a%', 'a.fifo'];
        for (const n of names) await store.createQueue(queueRecord(n));
        await expectPaging(
          (page) => store.listQueues(undefined, page),
          [...names].sort().map((n) => queueRecord(n)),
        );
        await expectPaging(
          (page) => store.listQueues('a', page),
          ['a%', 'a-1', 'a.fifo', 'aX', 'a_1'].sort().map((n) => queueRecord(n)),
        );
        expect((await store.listQueues('a_', { limit: 10 })).items.map((q) => q.name)).toStrictEqual(['a_1']);
        expect(await store.listQueues('zzz', { limit: 1 })).toStrictEqual({ items: [] });
      });

      it('updateQueue replaces the attributes and updatedAt, and keeps arn, fifo and createdAt', async () => {
        await store.createQueue(
          queueRecord('q', { attributes: { VisibilityTimeout: '30', DelaySeconds: '5' } }),
        );
        const update = queueRecord('q', {
          arn: 'arn:ignored',
          fifo: true,
          createdAt: T0 + 50,
          updatedAt: T0 + 60,
          attributes: { VisibilityTimeout: '10' },
        });
        expect(await store.updateQueue(update)).toBe('updated');
        expect(await store.getQueue('q')).toStrictEqual(
          queueRecord('q', { updatedAt: T0 + 60, attributes: { VisibilityTimeout: '10' } }),
        );
        expect(await store.updateQueue(queueRecord('ghost'))).toBe('not-found');
        expect(await store.getQueue('ghost')).toBeUndefined();
      });

      it('deleteQueue removes the queue with its messages, deduplication entries and tags', async () => {
        const doomed = queueRecord('doomed.fifo', { fifo: true });
        const kept = queueRecord('kept');
        await store.createQueue(doomed, [{ key: 'k', value: 'v' }]);
        await store.createQueue(kept, [{ key: 'k', value: 'v' }]);
        await store.sendQueueMessages(
          'doomed.fifo',
          [newMessage('m1', { groupId: 'g', deduplicationId: 'd' })],
          {
            now: T0,
            deduplication: DEDUPLICATION,
          },
        );
        await store.sendQueueMessages('kept', [newMessage('m1')], { now: T0 });

        expect(await store.deleteQueue('doomed.fifo')).toBe('deleted');
        expect(await store.getQueue('doomed.fifo')).toBeUndefined();
        expect(await store.getQueueMessage('doomed.fifo', 'm1')).toBeUndefined();
        expect(await store.getTags(doomed.arn)).toStrictEqual([]);
        expect(await store.getQueueMessage('kept', 'm1')).toBeDefined();
        expect(await store.getTags(kept.arn)).toStrictEqual([{ key: 'k', value: 'v' }]);
        expect(await store.deleteQueue('doomed.fifo')).toBe('not-found');

        // Created again, it starts empty and has forgotten the deduplication ids it saw.
        await store.createQueue(doomed);
        expect(await store.countQueueMessages('doomed.fifo', T0)).toStrictEqual({
          visible: 0,
          inFlight: 0,
          delayed: 0,
        });
        const [again] = await store.sendQueueMessages(
          'doomed.fifo',
          [newMessage('m2', { groupId: 'g', deduplicationId: 'd' })],
          { now: T0 + 1, deduplication: DEDUPLICATION },
        );
        expect(again).toMatchObject({ id: 'm2', duplicate: false });
      });
    });

    describe('queue messages', () => {
      beforeEach(async () => {
        await store.createQueue(queueRecord('std'));
        await store.createQueue(queueRecord('dlq'));
        await store.createQueue(queueRecord('q.fifo', { fifo: true }));
        await store.createQueue(queueRecord('dlq.fifo', { fifo: true }));
      });

      const send = (queueName: string, messages: NewQueueMessage[], now = T0) =>
        store.sendQueueMessages(queueName, messages, {
          now,
          ...(queueName.endsWith('.fifo') ? { deduplication: DEDUPLICATION } : {}),
        });
      const receive = (
        queueName: string,
        limit = 10,
        now = T0,
        fields: Partial<ReceiveQueueMessagesRequest> = {},
      ) =>
        store.receiveQueueMessages(queueName, { now, limit, visibleUntil: now + VISIBILITY_MS, ...fields });
      const ids = (received: { messages: QueueMessageRecord[] }) => received.messages.map((m) => m.id);

      it('stores a message with every field and reads it back; optional fields absent, not undefined', async () => {
        const full = newMessage('full', {
          body: 'héllo 🌍',
          messageAttributes: {
            s: { dataType: 'String', stringValue: 'v' },
            n: { dataType: 'Number.int', stringValue: '42' },
            b: { dataType: 'Binary', binaryValue: 'AAEC' },
          },
          systemAttributes: { AWSTraceHeader: { dataType: 'String', stringValue: 'Root=1-abc' } },
          groupId: 'g',
          visibleAt: T0 + 5000,
        });
        const sent = await send('std', [full, newMessage('plain')]);
        expect(sent.map((s) => ({ id: s.id, duplicate: s.duplicate }))).toStrictEqual([
          { id: 'full', duplicate: false },
          { id: 'plain', duplicate: false },
        ]);
        expect(sent[1]!.seq).toBeGreaterThan(sent[0]!.seq);
        const { visibleAt: fullVisibleAt, ...fullFields } = full;
        expect(await store.getQueueMessage('std', 'full')).toStrictEqual({
          ...fullFields,
          queueName: 'std',
          seq: sent[0]!.seq,
          sentAt: T0,
          enqueuedAt: T0,
          visibleAt: fullVisibleAt,
          receiveCount: 0,
        });
        const plain = await store.getQueueMessage('std', 'plain');
        expect(Object.keys(plain ?? {}).sort()).toStrictEqual([
          'body',
          'enqueuedAt',
          'id',
          'queueName',
          'receiveCount',
          'sentAt',
          'seq',
          'visibleAt',
        ]);
        expect(await store.getQueueMessage('std', 'ghost')).toBeUndefined();
        expect(await store.getQueueMessage('dlq', 'full')).toBeUndefined();
      });

      it('writes a batch atomically: a failing message stores none of it; a missing queue throws', async () => {
        await send('std', [newMessage('m1')]);
        await expect(send('std', [newMessage('m2'), newMessage('m1')])).rejects.toThrow();
        expect(await store.getQueueMessage('std', 'm2')).toBeUndefined();
        await expect(send('ghost', [newMessage('m3')])).rejects.toThrow();
        expect(await send('std', [])).toStrictEqual([]);
      });

      it('never reuses a seq, not even after the newest message is deleted', async () => {
        const [first] = await send('std', [newMessage('m1')]);
        const [received] = (await receive('std')).messages;
        expect(await store.deleteQueueMessage('std', 'm1', received!.receiptToken!)).toBe('deleted');
        const [second] = await send('std', [newMessage('m2')]);
        expect(second!.seq).toBeGreaterThan(first!.seq);
      });

      it('receives visible messages oldest first, each with a new token, one more receive, then invisible', async () => {
        await send('std', [newMessage('a'), newMessage('b'), newMessage('c')]);
        const first = await receive('std', 2, T0 + 10);
        expect(ids(first)).toStrictEqual(['a', 'b']);
        expect(first.deadLettered).toBe(0);
        const [a] = first.messages;
        expect(a).toMatchObject({
          receiveCount: 1,
          firstReceivedAt: T0 + 10,
          lastReceivedAt: T0 + 10,
          visibleAt: T0 + 10 + VISIBILITY_MS,
        });
        expect(a!.receiptToken).toMatch(/^.{16,}$/);
        expect(await store.getQueueMessage('std', 'a')).toStrictEqual(a);
        expect(ids(await receive('std', 10, T0 + 11))).toStrictEqual(['c']);
        expect(ids(await receive('std', 10, T0 + 12))).toStrictEqual([]);

        // At the end of the visibility timeout they come back, with the first receive time kept.
        const later = T0 + 10 + VISIBILITY_MS;
        const again = await receive('std', 10, later);
        expect(ids(again)).toStrictEqual(['a', 'b']);
        const [a2] = again.messages;
        expect(a2).toMatchObject({ receiveCount: 2, firstReceivedAt: T0 + 10, lastReceivedAt: later });
        expect(a2!.receiptToken).not.toBe(a!.receiptToken);
      });

      it('keeps delayed messages back until their visibleAt', async () => {
        await send('std', [newMessage('late', { visibleAt: T0 + 1000 }), newMessage('now')]);
        expect(ids(await receive('std', 10, T0 + 999))).toStrictEqual(['now']);
        expect(ids(await receive('std', 10, T0 + 1000))).toStrictEqual(['late']);
      });

      it('deletes the messages expiredBefore names before picking, when asked to', async () => {
        await send('std', [newMessage('old')], T0);
        await send('std', [newMessage('new')], T0 + 10);
        expect(ids(await receive('std', 10, T0 + 20, { expiredBefore: T0 }))).toStrictEqual(['new']);
        expect(await store.getQueueMessage('std', 'old')).toBeUndefined();
      });

      it('answers nothing for a queue that does not exist', async () => {
        expect(await receive('ghost')).toStrictEqual({ messages: [], deadLettered: 0 });
      });

      it('hands each visible message to exactly one of many concurrent receivers', async () => {
        await send(
          'std',
          Array.from({ length: 40 }, (_, i) => newMessage(`m${i}`)),
        );
        const results = await Promise.all(Array.from({ length: 8 }, () => receive('std', 7)));
        const all = results.flatMap(ids);
        expect(all).toHaveLength(40);
        expect(new Set(all).size).toBe(40);
      });

      it('FIFO: delivers each group in order and holds a group back while one of its messages is in flight', async () => {
        await send('q.fifo', [
          newMessage('a1', { groupId: 'a', deduplicationId: 'a1' }),
          newMessage('b1', { groupId: 'b', deduplicationId: 'b1' }),
          newMessage('a2', { groupId: 'a', deduplicationId: 'a2' }),
          newMessage('c1', { groupId: 'c', deduplicationId: 'c1' }),
          newMessage('b2', { groupId: 'b', deduplicationId: 'b2' }),
        ]);
        // Several messages of one group may come in one call, in order.
        expect(ids(await receive('q.fifo', 3))).toStrictEqual(['a1', 'b1', 'a2']);
        // Groups a and b are in flight: only c is receivable, even though b2 is visible.
        expect(ids(await receive('q.fifo', 10, T0 + 1))).toStrictEqual(['c1']);
        expect(ids(await receive('q.fifo', 10, T0 + 2))).toStrictEqual([]);
        // Deleting b1 unblocks b; group a stays in flight until a2 is settled too.
        const b1 = await store.getQueueMessage('q.fifo', 'b1');
        expect(await store.deleteQueueMessage('q.fifo', 'b1', b1!.receiptToken!)).toBe('deleted');
        const a1 = await store.getQueueMessage('q.fifo', 'a1');
        expect(await store.deleteQueueMessage('q.fifo', 'a1', a1!.receiptToken!)).toBe('deleted');
        expect(ids(await receive('q.fifo', 10, T0 + 3))).toStrictEqual(['b2']);
        // When a2's visibility timeout ends, it comes back before anything later in its group.
        await send('q.fifo', [newMessage('a3', { groupId: 'a', deduplicationId: 'a3' })], T0 + 4);
        expect(ids(await receive('q.fifo', 10, T0 + 5))).toStrictEqual([]);
        expect(ids(await receive('q.fifo', 10, T0 + VISIBILITY_MS))).toStrictEqual(['a2', 'a3']);
      });

      it('FIFO: a delayed message holds back the later messages of its group, not other groups', async () => {
        await send('q.fifo', [
          newMessage('a1', { groupId: 'a', deduplicationId: 'a1', visibleAt: T0 + 100 }),
          newMessage('a2', { groupId: 'a', deduplicationId: 'a2' }),
          newMessage('b1', { groupId: 'b', deduplicationId: 'b1' }),
        ]);
        expect(ids(await receive('q.fifo', 10, T0))).toStrictEqual(['b1']);
        expect(ids(await receive('q.fifo', 10, T0 + 100))).toStrictEqual(['a1', 'a2']);
      });

      it('FIFO deduplication: a repeated id within the window answers the first message and stores nothing', async () => {
        const [first] = await send('q.fifo', [newMessage('m1', { groupId: 'g', deduplicationId: 'd' })], T0);
        const inBatch = await send(
          'q.fifo',
          [
            newMessage('m2', { groupId: 'g', deduplicationId: 'd' }),
            newMessage('m3', { groupId: 'g', deduplicationId: 'e' }),
            newMessage('m4', { groupId: 'g', deduplicationId: 'e' }),
          ],
          T0 + 1,
        );
        expect(inBatch).toStrictEqual([
          { id: 'm1', seq: first!.seq, duplicate: true },
          { id: 'm3', seq: inBatch[1]!.seq, duplicate: false },
          { id: 'm3', seq: inBatch[1]!.seq, duplicate: true },
        ]);
        expect(await store.getQueueMessage('q.fifo', 'm2')).toBeUndefined();
        expect(await store.getQueueMessage('q.fifo', 'm4')).toBeUndefined();

        // Still a duplicate after the first was received and deleted, until the window (from the first
        // send, not extended by duplicates) ends.
        const [m1] = (await receive('q.fifo', 1, T0 + 2)).messages;
        await store.deleteQueueMessage('q.fifo', 'm1', m1!.receiptToken!);
        const last = T0 + DEDUPLICATION.windowMs - 1;
        expect(
          await send('q.fifo', [newMessage('m5', { groupId: 'g', deduplicationId: 'd' })], last),
        ).toStrictEqual([{ id: 'm1', seq: first!.seq, duplicate: true }]);
        const [after] = await send(
          'q.fifo',
          [newMessage('m6', { groupId: 'g', deduplicationId: 'd' })],
          T0 + DEDUPLICATION.windowMs,
        );
        expect(after).toMatchObject({ id: 'm6', duplicate: false });
        expect(after!.seq).toBeGreaterThan(first!.seq);
      });

      it('FIFO deduplication per message group lets two groups use the same id; none without options', async () => {
        const byGroup = { windowMs: DEDUPLICATION.windowMs, scope: 'message-group' } as const;
        const sent = await store.sendQueueMessages(
          'q.fifo',
          [
            newMessage('a', { groupId: 'g1', deduplicationId: 'd' }),
            newMessage('b', { groupId: 'g2', deduplicationId: 'd' }),
            newMessage('c', { groupId: 'g1', deduplicationId: 'd' }),
          ],
          { now: T0, deduplication: byGroup },
        );
        expect(sent.map((s) => [s.id, s.duplicate])).toStrictEqual([
          ['a', false],
          ['b', false],
          ['a', true],
        ]);
        // Without deduplication options (standard queues) the id is stored but not enforced.
        const plain = await store.sendQueueMessages(
          'std',
          [newMessage('x', { deduplicationId: 'd' }), newMessage('y', { deduplicationId: 'd' })],
          { now: T0 },
        );
        expect(plain.map((s) => s.duplicate)).toStrictEqual([false, false]);
      });

      it('redrive: a message already received maxReceiveCount times moves to the dead-letter queue', async () => {
        await send('std', [
          newMessage('m', { messageAttributes: { k: { dataType: 'String', stringValue: 'v' } } }),
        ]);
        const deadLetter = { queueName: 'dlq', maxReceiveCount: 2 };
        const at = (n: number) => T0 + n * VISIBILITY_MS;
        expect(ids(await receive('std', 1, at(0), { deadLetter }))).toStrictEqual(['m']);
        expect(ids(await receive('std', 1, at(1), { deadLetter }))).toStrictEqual(['m']);
        const third = await receive('std', 1, at(2), { deadLetter });
        expect(third).toStrictEqual({ messages: [], deadLettered: 1 });
        expect(await store.getQueueMessage('std', 'm')).toBeUndefined();
        const moved = await store.getQueueMessage('dlq', 'm');
        expect(moved).toMatchObject({
          queueName: 'dlq',
          body: 'body of m',
          messageAttributes: { k: { dataType: 'String', stringValue: 'v' } },
          sentAt: T0,
          enqueuedAt: T0,
          visibleAt: at(2),
          receiveCount: 0,
          deadLetterSourceArn: queueRecord('std').arn,
        });
        expect(moved).not.toHaveProperty('receiptToken');
        expect(moved).not.toHaveProperty('firstReceivedAt');
      });

      it('redrive fills the request from the messages behind a moved one, and is ignored without its queue', async () => {
        await send('std', [newMessage('old')], T0);
        await receive('std', 1, T0);
        const later = T0 + VISIBILITY_MS;
        // old became visible when new was sent: it comes first, goes to the dead-letter queue, and new
        // takes its place in the answer.
        await send('std', [newMessage('new', { visibleAt: later })], later);
        const result = await receive('std', 1, later, {
          deadLetter: { queueName: 'dlq', maxReceiveCount: 1 },
        });
        expect(result).toMatchObject({ deadLettered: 1 });
        expect(ids(result)).toStrictEqual(['new']);
        expect(await store.getQueueMessage('dlq', 'old')).toBeDefined();

        const kept = await receive('std', 1, later + VISIBILITY_MS, {
          deadLetter: { queueName: 'ghost', maxReceiveCount: 1 },
        });
        expect(kept).toMatchObject({ deadLettered: 0 });
        expect(ids(kept)).toStrictEqual(['new']);
      });

      it('FIFO redrive: the next message of the group follows in the same call; enqueuedAt restarts', async () => {
        await send('q.fifo', [
          newMessage('a1', { groupId: 'a', deduplicationId: 'a1' }),
          newMessage('a2', { groupId: 'a', deduplicationId: 'a2' }),
        ]);
        await receive('q.fifo', 1, T0);
        const later = T0 + VISIBILITY_MS;
        const result = await receive('q.fifo', 1, later, {
          deadLetter: { queueName: 'dlq.fifo', maxReceiveCount: 1 },
        });
        expect(ids(result)).toStrictEqual(['a2']);
        expect(result.deadLettered).toBe(1);
        expect(await store.getQueueMessage('dlq.fifo', 'a1')).toMatchObject({
          groupId: 'a',
          deduplicationId: 'a1',
          sentAt: T0,
          enqueuedAt: later,
        });
      });

      it('deletes by the latest receipt token only; answers stale, expired or not-found otherwise', async () => {
        await send('std', [newMessage('m')]);
        const [first] = (await receive('std', 1, T0)).messages;
        const [second] = (await receive('std', 1, T0 + VISIBILITY_MS)).messages;
        expect(await store.deleteQueueMessage('std', 'm', first!.receiptToken!)).toBe('stale');
        expect(await store.deleteQueueMessage('std', 'm', 'forged')).toBe('stale');
        expect(await store.deleteQueueMessage('dlq', 'm', second!.receiptToken!)).toBe('not-found');
        // With expiredAt (FIFO), a token whose visibility timeout has ended no longer deletes.
        const end = second!.visibleAt;
        expect(await store.deleteQueueMessage('std', 'm', second!.receiptToken!, end)).toBe('expired');
        expect(await store.getQueueMessage('std', 'm')).toBeDefined();
        expect(await store.deleteQueueMessage('std', 'm', second!.receiptToken!, end - 1)).toBe('deleted');
        expect(await store.deleteQueueMessage('std', 'm', second!.receiptToken!)).toBe('not-found');
        expect(await store.getQueueMessage('std', 'm')).toBeUndefined();
      });

      it('a message never received has no token to delete it with', async () => {
        await send('std', [newMessage('m')]);
        expect(await store.deleteQueueMessage('std', 'm', '')).toBe('stale');
      });

      it('changes visibility by the latest receipt token, on the same terms as delete', async () => {
        await send('std', [newMessage('m')]);
        const [first] = (await receive('std', 1, T0)).messages;
        const token = first!.receiptToken!;
        expect(await store.changeQueueMessageVisibility('std', 'm', token, T0 + 5)).toBe('changed');
        expect(await store.getQueueMessage('std', 'm')).toMatchObject({ visibleAt: T0 + 5 });
        expect(ids(await receive('std', 1, T0 + 4))).toStrictEqual([]);
        expect(await store.changeQueueMessageVisibility('std', 'm', token, T0 + 9, T0 + 5)).toBe('expired');
        const [second] = (await receive('std', 1, T0 + 5)).messages;
        expect(await store.changeQueueMessageVisibility('std', 'm', token, T0 + 9)).toBe('stale');
        expect(await store.changeQueueMessageVisibility('std', 'ghost', token, T0 + 9)).toBe('not-found');
        // Visible at once.
        expect(await store.changeQueueMessageVisibility('std', 'm', second!.receiptToken!, T0 + 6)).toBe(
          'changed',
        );
        expect(ids(await receive('std', 1, T0 + 6))).toStrictEqual(['m']);
      });

      it('counts visible, in-flight and delayed messages, and tells when the next one becomes visible', async () => {
        await send('std', [
          newMessage('v1'),
          newMessage('v2'),
          newMessage('f1'),
          newMessage('d1', { visibleAt: T0 + 500 }),
          newMessage('d2', { visibleAt: T0 + 700 }),
        ]);
        await send('dlq', [newMessage('other')]);
        await receive('std', 1, T0);
        expect(await store.countQueueMessages('std', T0)).toStrictEqual({
          visible: 2,
          inFlight: 1,
          delayed: 2,
        });
        expect(await store.getNextVisibleAt('std', T0)).toBe(T0 + 500);
        expect(await store.getNextVisibleAt('std', T0 + 500)).toBe(T0 + 700);
        expect(await store.countQueueMessages('std', T0 + 700)).toStrictEqual({
          visible: 4,
          inFlight: 1,
          delayed: 0,
        });
        expect(await store.getNextVisibleAt('std', T0 + VISIBILITY_MS)).toBeUndefined();
        expect(await store.countQueueMessages('ghost', T0)).toStrictEqual({
          visible: 0,
          inFlight: 0,
          delayed: 0,
        });
        expect(await store.getNextVisibleAt('ghost', T0)).toBeUndefined();
      });

      it('purges every message of one queue, in flight or not', async () => {
        await send('std', [newMessage('a'), newMessage('b'), newMessage('c', { visibleAt: T0 + 9 })]);
        await send('dlq', [newMessage('a')]);
        await receive('std', 1);
        expect(await store.purgeQueue('std')).toBe(3);
        expect(await store.countQueueMessages('std', T0)).toStrictEqual({
          visible: 0,
          inFlight: 0,
          delayed: 0,
        });
        expect(await store.getQueueMessage('dlq', 'a')).toBeDefined();
        expect(await store.purgeQueue('std')).toBe(0);
      });

      it('moves visible messages oldest first, up to a limit, keeping what they are and resetting receives', async () => {
        await send('std', [
          newMessage('a'),
          newMessage('b'),
          newMessage('c'),
          newMessage('d', { visibleAt: T0 + 99 }),
        ]);
        await receive('std', 1, T0); // a is in flight: it stays
        expect(await store.moveQueueMessages('std', 'dlq', { now: T0 + 1, limit: 1 })).toBe(1);
        expect(await store.getQueueMessage('dlq', 'b')).toMatchObject({
          queueName: 'dlq',
          sentAt: T0,
          enqueuedAt: T0,
          visibleAt: T0 + 1,
          receiveCount: 0,
        });
        expect(await store.moveQueueMessages('std', 'dlq', { now: T0 + 2, limit: 10 })).toBe(1);
        expect(ids(await receive('dlq', 10, T0 + 2))).toStrictEqual(['b', 'c']);
        expect(await store.countQueueMessages('std', T0 + 2)).toStrictEqual({
          visible: 0,
          inFlight: 1,
          delayed: 1,
        });
        expect(await store.moveQueueMessages('std', 'dlq', { now: T0 + 2, limit: 10 })).toBe(0);
      });

      it('moving into a FIFO queue restarts enqueuedAt; into a missing queue throws and moves nothing', async () => {
        await send('dlq.fifo', [newMessage('m', { groupId: 'g', deduplicationId: 'd' })]);
        expect(await store.moveQueueMessages('dlq.fifo', 'q.fifo', { now: T0 + 7, limit: 10 })).toBe(1);
        expect(await store.getQueueMessage('q.fifo', 'm')).toMatchObject({
          sentAt: T0,
          enqueuedAt: T0 + 7,
          groupId: 'g',
        });
        await expect(
          store.moveQueueMessages('q.fifo', 'ghost', { now: T0 + 8, limit: 10 }),
        ).rejects.toThrow();
        expect(await store.getQueueMessage('q.fifo', 'm')).toBeDefined();
      });

      it('prunes messages enqueued at or before a time, and deduplication entries whose window closed', async () => {
        await send('std', [newMessage('old')], T0);
        await send('std', [newMessage('new')], T0 + 10);
        await send('dlq', [newMessage('other')], T0);
        expect(await store.pruneQueue('std', { enqueuedBefore: T0, now: T0 + 10 })).toBe(1);
        expect(await store.getQueueMessage('std', 'old')).toBeUndefined();
        expect(await store.getQueueMessage('std', 'new')).toBeDefined();
        expect(await store.getQueueMessage('dlq', 'other')).toBeDefined();
        expect(await store.pruneQueue('std', { enqueuedBefore: T0 + 9, now: T0 + 10 })).toBe(0);
      });
    });

    describe('lifecycle', () => {
      it('settles appends still queued when closed, and refuses calls after close; close is idempotent', async () => {
        const pending = append([eventItem('e1')]);
        await store.close();
        await expect(pending).resolves.toBeUndefined();
        await expect(store.getBus('default')).rejects.toThrow();
        await expect(append([eventItem('e2')])).rejects.toThrow();
        await store.close();
      });
    });

    describe('durability', () => {
      const reopen = options.reopen;
      if (reopen === undefined) {
        it.skip('survives close and reopen: skipped because this backend was given no reopen()', () => {});
        return;
      }

      it('keeps everything written across close and reopen', async () => {
        const bus = busRecord('orders', { description: 'd', logConfig: { level: 'INFO' } });
        const rule = ruleRecord('orders', 'r');
        const target = targetRecord('orders', 'r', 't', { retryPolicy: { maximumRetryAttempts: 2 } });
        const key: AccessKeyRecord = { accessKeyId: 'AKID', secretCiphertext: 'c', createdAt: T0 };
        await store.createBus(bus, [{ key: 'k', value: 'v' }]);
        await store.putRule(rule);
        await store.putTargets('orders', 'r', [target]);
        await store.createAccessKey(key);
        const delivery = await appendAndClaim('e1');
        const recorded = attempt(delivery.id, 1, { outcome: 'retryable-failure', error: 'x' });
        await store.recordAttempt(
          'worker-a',
          recorded,
          { status: 'pending', retryAt: T0 + 9, error: 'x' },
          T0 + 1,
        );
        const before = await store.getDelivery(delivery.id);

        store = await reopen(store);

        expect(await store.getBus('orders')).toStrictEqual(bus);
        expect(await store.getTags(bus.arn)).toStrictEqual([{ key: 'k', value: 'v' }]);
        expect(await store.getRule('orders', 'r')).toStrictEqual(rule);
        expect(await store.getTargets('orders', 'r')).toStrictEqual([target]);
        expect(await store.getAccessKey('AKID')).toStrictEqual(key);
        expect(await store.getEvent('e1')).toStrictEqual(eventItem('e1').event);
        expect(await store.getDelivery(delivery.id)).toStrictEqual(before);
        expect(await store.listAttempts(delivery.id)).toStrictEqual([recorded]);
      });

      it('keeps queues, messages and their receive state across close and reopen', async () => {
        await store.createQueue(queueRecord('q.fifo', { fifo: true }));
        const send = (id: string, now = T0) =>
          store.sendQueueMessages('q.fifo', [newMessage(id, { groupId: 'g', deduplicationId: 'd' })], {
            now,
            deduplication: DEDUPLICATION,
          });
        await send('m');
        const { messages } = await store.receiveQueueMessages('q.fifo', {
          now: T0,
          limit: 1,
          visibleUntil: T0 + VISIBILITY_MS,
        });
        const [received] = messages;
        const queue = await store.getQueue('q.fifo');
        store = await reopen(store);
        expect(await store.getQueue('q.fifo')).toStrictEqual(queue);
        expect(await store.getQueueMessage('q.fifo', 'm')).toStrictEqual(received);
        const [dup] = await send('m2', T0 + 1);
        expect(dup).toMatchObject({ id: 'm', duplicate: true });
      });

      it('keeps every acknowledged concurrent append, and those queued at close, across reopen', async () => {
        await Promise.all(Array.from({ length: 100 }, (_, i) => append([eventItem(`e${i}`)], T0 + i)));
        const late = append([eventItem('queued-at-close')]);
        store = await reopen(store);
        await late;
        for (let i = 0; i < 100; i += 1) expect(await store.getEvent(`e${i}`)).toBeDefined();
        expect(await store.getEvent('queued-at-close')).toBeDefined();
        expect((await collectPages((page) => store.listDeliveries({}, page), 1000)).flat()).toHaveLength(101);
      });
    });
    runArchivesContract(() => store);
  });
}
