/**
 * PutEvents in the domain: what gets stored, with which deliveries, and what each entry answers.
 * Runs on a real SQLite store (in memory); the API tests cover the wire.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBusService } from '../../src/bus/bus-service.js';
import { buildEnvelope, entrySize, envelopeTime, replayedEnvelope } from '../../src/bus/ingest.js';
import type { BusService } from '../../src/bus/types.js';
import { ValidationError } from '../../src/errors.js';
import { createSqliteStore, type SqliteStore } from '../../src/store/sqlite/sqlite-store.js';

const ctx = { region: 'eu-west-1', accountId: '123456789012' };
let store: SqliteStore;
let bus: BusService;
const dropped: string[] = [];

async function service(overrides: Partial<Parameters<typeof createBusService>[1]> = {}): Promise<BusService> {
  return createBusService(
    store,
    {
      ...ctx,
      maxRulesPerBus: 300,
      maxEventPatternLength: 2048,
      maxEventsRequestBytes: 262144,
      strictEventBus: false,
      ...overrides,
    },
    { onDroppedForMissingBus: (name) => void dropped.push(name) },
    () => Date.UTC(2026, 0, 2, 3, 4, 5, 678),
  );
}

beforeEach(async () => {
  store = createSqliteStore({ path: ':memory:' });
  dropped.length = 0;
  bus = await service();
});

afterEach(async () => {
  await store.close();
});

async function deliveriesOf(eventId: string) {
  return (await store.listDeliveries({ eventId }, { limit: 100 })).items;
}

describe('putEvents', () => {
  it('stores the envelope in AWS key order with the detail text as published', async () => {
    const [result] = await bus.putEvents([
      {
        source: 'shop',
        detailType: 'Order',
        detail: '{"total": 300.0, "big": 12345678901234567}',
        resources: ['arn:x'],
      },
    ]);
    expect(result).toHaveProperty('eventId');
    const id = (result as { eventId: string }).eventId;
    const stored = await store.getEvent(id);
    expect(stored?.envelope).toBe(
      `{"version":"0","id":"${id}","detail-type":"Order","source":"shop","account":"123456789012",` +
        `"time":"2026-01-02T03:04:05Z","region":"eu-west-1","resources":["arn:x"],` +
        `"detail":{"total": 300.0, "big": 12345678901234567}}`,
    );
    expect(stored?.busName).toBe('default');
  });

  it('writes one delivery per matched rule and target, none for rules that do not match', async () => {
    await bus.putRule({ name: 'big', eventPattern: '{"detail":{"total":[{"numeric":[">",100]}]}}' });
    await bus.putRule({ name: 'small', eventPattern: '{"detail":{"total":[{"numeric":["<",100]}]}}' });
    await bus.putRule({ name: 'off', eventPattern: '{"source":["shop"]}', state: 'DISABLED' });
    await bus.putTargets({
      rule: 'big',
      targets: [
        { id: 'a', arn: 'arn:aws:sqs:eu-west-1:123456789012:a' },
        { id: 'b', arn: 'arn:aws:sqs:eu-west-1:123456789012:b' },
      ],
    });
    await bus.putTargets({
      rule: 'small',
      targets: [{ id: 'c', arn: 'arn:aws:sqs:eu-west-1:123456789012:c' }],
    });
    await bus.putTargets({
      rule: 'off',
      targets: [{ id: 'd', arn: 'arn:aws:sqs:eu-west-1:123456789012:d' }],
    });
    const [result] = await bus.putEvents([{ source: 'shop', detailType: 'Order', detail: '{"total":250}' }]);
    const deliveries = await deliveriesOf((result as { eventId: string }).eventId);
    expect(deliveries.map((d) => `${d.ruleName}/${d.targetId}`).sort()).toEqual(['big/a', 'big/b']);
    expect(deliveries.every((d) => d.status === 'pending' && d.attempts === 0)).toBe(true);
    expect(deliveries[0]?.ruleArn).toBe('arn:aws:events:eu-west-1:123456789012:rule/big');
  });

  it('follows rule changes: enable, disable, new pattern, removed targets', async () => {
    await bus.putRule({ name: 'r', eventPattern: '{"source":["a"]}', state: 'DISABLED' });
    await bus.putTargets({ rule: 'r', targets: [{ id: 't', arn: 'arn:aws:sqs:eu-west-1:123456789012:q' }] });
    const count = async (source: string) => {
      const [r] = await bus.putEvents([{ source, detailType: 'x', detail: '{}' }]);
      return (await deliveriesOf((r as { eventId: string }).eventId)).length;
    };
    expect(await count('a')).toBe(0);
    await bus.enableRule({ name: 'r' });
    expect(await count('a')).toBe(1);
    await bus.putRule({ name: 'r', eventPattern: '{"source":["b"]}' });
    expect(await count('a')).toBe(0);
    expect(await count('b')).toBe(1);
    await bus.removeTargets({ rule: 'r', ids: ['t'] });
    expect(await count('b')).toBe(0);
  });

  it('answers each bad entry with its own error and stores the good ones', async () => {
    const results = await bus.putEvents([
      { detailType: 'x', detail: '{}' },
      { source: 's', detail: '{}' },
      { source: 's', detailType: 'x' },
      { source: 's', detailType: 'x', detail: '"a string"' },
      { source: 's', detailType: 'x', detail: '[1]' },
      { source: 's', detailType: 'x', detail: '{"unclosed": ' },
      { source: 'aws.ec2', detailType: 'x', detail: '{}' },
      { source: 's', detailType: 'x', detail: '{}' },
    ]);
    expect(results.slice(0, 7)).toEqual([
      {
        errorCode: 'InvalidArgument',
        errorMessage: 'Parameter Source is not valid. Reason: Source is a required argument.',
      },
      {
        errorCode: 'InvalidArgument',
        errorMessage: 'Parameter DetailType is not valid. Reason: DetailType is a required argument.',
      },
      {
        errorCode: 'InvalidArgument',
        errorMessage: 'Parameter Detail is not valid. Reason: Detail is a required argument.',
      },
      { errorCode: 'MalformedDetail', errorMessage: 'Detail is malformed.' },
      { errorCode: 'MalformedDetail', errorMessage: 'Detail is malformed.' },
      { errorCode: 'MalformedDetail', errorMessage: 'Detail is malformed.' },
      { errorCode: 'NotAuthorizedForSourceException', errorMessage: 'Not authorized for the source.' },
    ]);
    const last = results[7] as { eventId: string };
    expect(await store.getEvent(last.eventId)).toBeDefined();
  });

  it('drops an entry for a missing bus with an EventId, as AWS does, and says so', async () => {
    const [result] = await bus.putEvents([{ source: 's', detailType: 'x', detail: '{}', busName: 'nope' }]);
    const id = (result as { eventId: string }).eventId;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await store.getEvent(id)).toBeUndefined();
    expect(dropped).toEqual(['nope']);
  });

  it('fails an entry for a missing bus in strict mode', async () => {
    const strict = await service({ strictEventBus: true });
    const [result] = await strict.putEvents([
      { source: 's', detailType: 'x', detail: '{}', busName: 'nope' },
    ]);
    expect(result).toEqual({
      errorCode: 'ResourceNotFoundException',
      errorMessage: 'Event bus nope does not exist.',
    });
  });

  it('accepts a bus ARN as EventBusName', async () => {
    await bus.createEventBus({ name: 'orders' });
    const [result] = await bus.putEvents([
      {
        source: 's',
        detailType: 'x',
        detail: '{}',
        busName: 'arn:aws:events:eu-west-1:123456789012:event-bus/orders',
      },
    ]);
    expect((await store.getEvent((result as { eventId: string }).eventId))?.busName).toBe('orders');
  });

  it('refuses a request whose entries add up to more than the limit, counting as AWS does', async () => {
    const small = await service({ maxEventsRequestBytes: 1024 });
    const detail = `{"a":"${'x'.repeat(1100)}"}`;
    await expect(small.putEvents([{ source: 's', detailType: 'x', detail }])).rejects.toThrow(
      new ValidationError('Total size of the entries in the request is over the limit.'),
    );
    expect(entrySize({ time: 1, source: 'ab', detailType: 'é', detail: '{}', resources: ['r1'] })).toBe(
      14 + 2 + 2 + 2 + 2,
    );
  });

  it('uses the entry Time, truncated to seconds, for the envelope time', async () => {
    const [result] = await bus.putEvents([
      { source: 's', detailType: 'x', detail: '{}', time: Date.UTC(2025, 4, 6, 7, 8, 9, 999) },
    ]);
    const stored = await store.getEvent((result as { eventId: string }).eventId);
    expect(JSON.parse(stored!.envelope).time).toBe('2025-05-06T07:08:09Z');
    expect(envelopeTime(0)).toBe('1970-01-01T00:00:00Z');
    expect(buildEnvelope(ctx, 'i', { source: 's', detailType: 'd' }, '{}', 0)).toContain('"resources":[]');
  });
});

describe('replayedEnvelope', () => {
  it('puts replay-name between region and resources, with a new id, keeping the rest as archived', () => {
    const archived =
      '{"version":"0","id":"old","detail-type":"T","source":"s","account":"000000000000","time":"2024-01-01T00:00:00Z","region":"us-east-1","resources":["r"],"detail":{"price":300.0,"resources":1}}';
    expect(replayedEnvelope(archived, 'new', 'fix-1')).toBe(
      '{"version":"0","id":"new","detail-type":"T","source":"s","account":"000000000000","time":"2024-01-01T00:00:00Z","region":"us-east-1","replay-name":"fix-1","resources":["r"],"detail":{"price":300.0,"resources":1}}',
    );
  });

  it('rebuilds envelopes of another key order from their parsed form', () => {
    const out = replayedEnvelope('{"id":"old","source":"s","resources":[],"detail":{}}', 'new', 'r');
    expect(JSON.parse(out)).toEqual({
      id: 'new',
      source: 's',
      'replay-name': 'r',
      resources: [],
      detail: {},
    });
  });
});
