/**
 * "Why didn't my endpoint get it?": Busway.ListDeliveries / Busway.ListAttempts over the AWS JSON
 * protocol and GET /busway/deliveries, on a real server whose deliveries come from real PutEvents
 * calls and are moved on through the store's own operations (claim, recordAttempt), as the engine does.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { rawRequest, signedGet } from '../support/raw-request.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { putEvents, setUpBus } from './observe-fixture.js';

const KEY = {
  accessKeyId: 'AKIDBUSWAYDELIVERIES',
  secretAccessKey: 'deliveries-secret-abcdefghijklmnopqrstuvwxyz',
};

const servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

/**
 * A server with bus `orders`, rule `r1` (targets `hook`, `queue`) and rule `r2` (target `hook`), two
 * events matched by both rules; `hook` of r1 failed for good after two attempts, the rest delivered.
 */
async function scenario(options: Parameters<typeof startTestServer>[0] = {}) {
  const s = await startTestServer(options);
  servers.push(s);
  // These tests move deliveries on through the store themselves, so the engine must not also take
  // them; the engine's own attempts and reports are tested in test/delivery/.
  await s.app.delivery.stop();
  await setUpBus(s.client, 'orders', [
    { name: 'r1', pattern: { source: ['app.orders'] }, targets: ['hook', 'queue'] },
    { name: 'r2', pattern: { source: ['app.orders'] }, targets: ['hook'] },
  ]);
  const eventIds = await putEvents(s.client, 'orders', [{ detail: { n: 1 } }, { detail: { n: 2 } }]);
  const store = s.app.store;
  const t0 = Date.now();
  for (const d of await store.claimDueDeliveries('w', t0, 30_000, 100)) {
    const failing = d.ruleName === 'r1' && d.targetId === 'hook';
    const attempt = {
      deliveryId: d.id,
      attempt: 1,
      startedAt: t0,
      durationMs: 3.5,
      outcome: failing ? ('retryable-failure' as const) : ('success' as const),
      statusCode: failing ? 503 : 200,
      ...(failing && { error: 'HTTP 503', responseExcerpt: 'upstream down' }),
    };
    const next = failing
      ? ({ status: 'pending', retryAt: t0 + 1000, error: 'HTTP 503' } as const)
      : ({ status: 'delivered' } as const);
    await store.recordAttempt('w', attempt, next, t0);
  }
  for (const d of await store.claimDueDeliveries('w', t0 + 1000, 30_000, 100)) {
    await store.recordAttempt(
      'w',
      {
        deliveryId: d.id,
        attempt: 2,
        startedAt: t0 + 1000,
        durationMs: 2,
        outcome: 'permanent-failure',
        statusCode: 400,
        error: 'HTTP 400',
      },
      { status: 'failed', error: 'HTTP 400' },
      t0 + 1001,
    );
  }
  const call = async (operation: string, input: Record<string, unknown>) =>
    rawRequest(s.url, {
      target: `Busway.${operation}`,
      body: JSON.stringify(input),
      ...(options.credentials !== undefined && { credentials: options.credentials, service: 'busway' }),
    });
  return { s, eventIds, t0, call };
}

describe('Busway.ListDeliveries and Busway.ListAttempts', () => {
  it('lists the failed deliveries of a rule with their attempts', async () => {
    const { eventIds, t0, call } = await scenario();
    const response = await call('ListDeliveries', {
      EventBusName: 'orders',
      RuleName: 'r1',
      Status: 'FAILED',
      IncludeAttempts: true,
    });
    expect(response.status).toBe(200);
    const deliveries = response.body['Deliveries'] as Array<Record<string, unknown>>;
    expect(deliveries.map((d) => d['EventId'])).toStrictEqual(eventIds);
    expect(deliveries[0]).toStrictEqual({
      DeliveryId: expect.any(String),
      EventId: eventIds[0],
      EventBusName: 'orders',
      RuleName: 'r1',
      RuleArn: 'arn:aws:events:us-east-1:000000000000:rule/orders/r1',
      TargetId: 'hook',
      Status: 'FAILED',
      AttemptCount: 2,
      CreatedAt: expect.any(Number),
      UpdatedAt: (t0 + 1001) / 1000,
      LastError: 'HTTP 400',
      Attempts: [
        {
          Attempt: 1,
          StartedAt: t0 / 1000,
          DurationMs: 3.5,
          Outcome: 'RETRYABLE_FAILURE',
          StatusCode: 503,
          Error: 'HTTP 503',
          ResponseExcerpt: 'upstream down',
        },
        {
          Attempt: 2,
          StartedAt: (t0 + 1000) / 1000,
          DurationMs: 2,
          Outcome: 'PERMANENT_FAILURE',
          StatusCode: 400,
          Error: 'HTTP 400',
        },
      ],
    });
    expect(response.body).not.toHaveProperty('NextToken');
  });

  it('filters by target across rules, by event, and pages with NextToken', async () => {
    const { eventIds, call } = await scenario();
    const byTarget = await call('ListDeliveries', { EventBusName: 'orders', TargetId: 'hook' });
    const hooks = byTarget.body['Deliveries'] as Array<Record<string, unknown>>;
    expect(hooks.map((d) => `${String(d['RuleName'])}:${String(d['Status'])}`).sort()).toStrictEqual([
      'r1:FAILED',
      'r1:FAILED',
      'r2:DELIVERED',
      'r2:DELIVERED',
    ]);
    expect(hooks[0]).not.toHaveProperty('Attempts');
    const byEvent = await call('ListDeliveries', { EventId: eventIds[1] });
    expect((byEvent.body['Deliveries'] as unknown[]).length).toBe(3);
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await call('ListDeliveries', {
        EventBusName: 'orders',
        Limit: 2,
        ...(token && { NextToken: token }),
      });
      const items = page.body['Deliveries'] as Array<Record<string, unknown>>;
      expect(items.length).toBeLessThanOrEqual(2);
      seen.push(...items.map((d) => String(d['DeliveryId'])));
      token = page.body['NextToken'] as string | undefined;
    } while (token !== undefined);
    expect(new Set(seen).size).toBe(6);
  });

  it('answers ListAttempts with the delivery and its attempts, and an unknown id with ResourceNotFoundException', async () => {
    const { call } = await scenario();
    const failed = await call('ListDeliveries', {
      RuleName: 'r1',
      EventBusName: 'orders',
      Status: 'FAILED',
      Limit: 1,
    });
    const [delivery] = failed.body['Deliveries'] as Array<Record<string, unknown>>;
    const attempts = await call('ListAttempts', { DeliveryId: delivery?.['DeliveryId'] });
    expect(attempts.status).toBe(200);
    expect(attempts.body['Delivery']).toStrictEqual(delivery);
    expect(
      (attempts.body['Attempts'] as Array<Record<string, unknown>>).map((a) => a['Outcome']),
    ).toStrictEqual(['RETRYABLE_FAILURE', 'PERMANENT_FAILURE']);
    const missing = await call('ListAttempts', { DeliveryId: 'ghost' });
    expect(missing.status).toBe(400);
    expect(missing.body).toStrictEqual({
      __type: 'ResourceNotFoundException',
      message: 'Delivery ghost does not exist.',
    });
  });

  it("validates members with Coral's messages", async () => {
    const { call } = await scenario();
    const bad = await call('ListDeliveries', { Status: 'LOST', Limit: 0, RuleName: 'bad name' });
    expect(bad.status).toBe(400);
    expect(bad.body['__type']).toBe('ValidationException');
    expect(bad.body['message']).toBe(
      "3 validation errors detected: Value 'bad name' at 'ruleName' failed to satisfy constraint: Member must " +
        "satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+; Value 'LOST' at 'status' failed to satisfy " +
        'constraint: Member must satisfy enum value set: [PENDING, IN_FLIGHT, DELIVERED, FAILED, DEAD_LETTERED]; ' +
        "Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
    const missing = await call('ListAttempts', {});
    expect(missing.body['message']).toBe(
      "1 validation error detected: Value null at 'deliveryId' failed to satisfy constraint: Member must not be null",
    );
  });
});

describe('GET /busway/deliveries', () => {
  it('answers the same JSON as ListDeliveries for the same filters', async () => {
    const { s, call } = await scenario();
    const viaOperation = await call('ListDeliveries', {
      EventBusName: 'orders',
      RuleName: 'r1',
      TargetId: 'hook',
      Status: 'FAILED',
      IncludeAttempts: true,
    });
    const response = await signedGet(
      `${s.url}/busway/deliveries?bus=orders&rule=r1&target=hook&status=failed&attempts`,
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await response.json()).toStrictEqual(viaOperation.body);
    const dead = await signedGet(`${s.url}/busway/deliveries?status=dead-lettered`);
    expect(await dead.json()).toStrictEqual({ Deliveries: [] });
  });

  it('answers bad parameters with AWS-shaped 400s', async () => {
    const { s } = await scenario();
    const status = await signedGet(`${s.url}/busway/deliveries?status=lost`);
    expect(status.status).toBe(400);
    expect(((await status.json()) as { __type: string }).__type).toBe('ValidationException');
    const limit = await signedGet(`${s.url}/busway/deliveries?limit=ten`);
    expect(await limit.json()).toStrictEqual({
      __type: 'ValidationException',
      message: "Query parameter 'limit' must be a whole number, not 'ten'.",
    });
    const token = await signedGet(`${s.url}/busway/deliveries?next-token=bogus`);
    expect(((await token.json()) as { __type: string }).__type).toBe('ValidationException');
  });

  it('requires a signature for the service busway once access keys exist', async () => {
    const { s, call } = await scenario({ overrides: KEY, credentials: KEY });
    const unsigned = await signedGet(`${s.url}/busway/deliveries?bus=orders`);
    expect(unsigned.status).toBe(400);
    expect(((await unsigned.json()) as { __type: string }).__type).toBe(
      'MissingAuthenticationTokenException',
    );
    const signed = await signedGet(`${s.url}/busway/deliveries?bus=orders&status=FAILED`, KEY);
    expect(signed.status).toBe(200);
    expect(((await signed.json()) as { Deliveries: unknown[] }).Deliveries).toHaveLength(2);
    const operation = await call('ListDeliveries', { EventBusName: 'orders', Status: 'FAILED' });
    expect(operation.status).toBe(200);
  });
});
