/**
 * Receive and route through the real delivery path: registerApp points an API destination at a real
 * node:http (or Fastify) server serving an EventRouter, events are published with the SDK, and the
 * server's engine calls the app with the connection's API key, Basic credentials or OAuth bearer token.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ListRulesCommand, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANY_CREDENTIALS, startTestServer, type TestServer } from '../../server/test/support/server.js';
import {
  createBuswayClient,
  createEventRouter,
  EventRejectedError,
  InvalidArgumentError,
  type BusEvent,
  type BuswayClient,
} from '../src/index.js';
import { createInbox, startReceiver } from './support/receivers.js';

let s: TestServer;
let busway: BuswayClient;
beforeAll(async () => {
  s = await startTestServer({ overrides: { retryBaseDelayMs: 5, retryMaxDelayMs: 20 } });
  busway = createBuswayClient({ endpoint: s.url, credentials: ANY_CREDENTIALS });
});
afterAll(async () => {
  busway.close();
  await s.close();
});

describe('receive and route through an API destination', () => {
  it('routes two detail-types to their handlers, with the API key the connection sends', async () => {
    const orders = createInbox<BusEvent>();
    const refunds = createInbox<BusEvent>();
    const router = createEventRouter({ auth: { value: 'app-key-1' } })
      .on('Order Placed', (event) => {
        orders.push(event);
      })
      .on('Refund Issued', (event) => {
        refunds.push(event);
        return { booked: true };
      });
    const receiver = await startReceiver(router.listener);
    try {
      const registered = await busway.registerApp({
        name: 'billing',
        endpoint: `${receiver.url}/events`,
        detailTypes: router.detailTypes,
        auth: { value: 'app-key-1' },
      });
      expect(registered.rules.map((rule) => rule.detailType)).toEqual(['Order Placed', 'Refund Issued']);
      const published = await busway.publish([
        { source: 'shop', detailType: 'Order Placed', detail: { orderId: 'o-1' } },
        { source: 'shop', detailType: 'Refund Issued', detail: { orderId: 'o-0' } },
        { source: 'shop', detailType: 'Not Routed', detail: {} },
      ]);
      const [order] = await orders.waitFor(1);
      const [refund] = await refunds.waitFor(1);
      expect(order).toMatchObject({ id: published.entries[0]?.eventId, detail: { orderId: 'o-1' } });
      expect(refund).toMatchObject({ 'detail-type': 'Refund Issued', detail: { orderId: 'o-0' } });
    } finally {
      await receiver.close();
    }
  });

  it('answers 500 for a handler error, so Busway retries until the handler succeeds', async () => {
    const calls = createInbox<string>();
    const router = createEventRouter({ auth: { type: 'BASIC', username: 'busway', password: 'pw' } }).on(
      'Flaky',
      (event) => {
        calls.push(event.id);
        if (calls.items.length === 1) throw new Error('database unavailable');
      },
    );
    const receiver = await startReceiver(router.listener);
    try {
      await busway.registerApp({
        name: 'flaky',
        endpoint: receiver.url,
        detailTypes: router.detailTypes,
        auth: { type: 'BASIC', username: 'busway', password: 'pw' },
      });
      const { entries } = await busway.publish({ source: 'shop', detailType: 'Flaky', detail: {} });
      const ids = await calls.waitFor(2);
      expect(ids).toEqual([entries[0]?.eventId, entries[0]?.eventId]);
    } finally {
      await receiver.close();
    }
  });

  it('accepts OAuth bearer tokens that its verifier knows, issued by a real token endpoint', async () => {
    const issued = new Set<string>();
    const tokenServer = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const token = `tok-${issued.size + 1}`;
        issued.add(token);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: 3600 }));
      });
    });
    await new Promise<void>((resolve) => tokenServer.listen(0, '127.0.0.1', resolve));
    const tokenUrl = `http://127.0.0.1:${(tokenServer.address() as AddressInfo).port}/token`;
    const received = createInbox<BusEvent>();
    const router = createEventRouter({
      auth: { type: 'OAUTH_CLIENT_CREDENTIALS', verifyToken: (token) => issued.has(token) },
    }).on('Signed Up', (event) => received.push(event));
    const receiver = await startReceiver(router.listener);
    try {
      await busway.registerApp({
        name: 'crm-oauth',
        endpoint: receiver.url,
        detailTypes: router.detailTypes,
        auth: {
          type: 'OAUTH_CLIENT_CREDENTIALS',
          authorizationEndpoint: tokenUrl,
          clientId: 'crm',
          clientSecret: 'crm-secret',
        },
      });
      await busway.publish({ source: 'web', detailType: 'Signed Up', detail: { user: 'u1' } });
      const [event] = await received.waitFor(1);
      expect(event?.detail).toEqual({ user: 'u1' });
    } finally {
      await receiver.close();
      await new Promise<void>((resolve) => tokenServer.close(() => resolve()));
    }
  });

  it('serves Fastify through handle(), routing by pattern as well as by detail-type', async () => {
    const big = createInbox<BusEvent>();
    const router = createEventRouter({ auth: { name: 'x-app-key', value: 'fastify-key' } })
      .on('Order Placed', () => undefined)
      .onPattern({ 'detail-type': ['Order Paid'], detail: { total: [{ numeric: ['>', 100] }] } }, (event) =>
        big.push(event),
      );
    const app = Fastify();
    app.post('/events', async (request, reply) => {
      const answer = await router.handle(request);
      return reply.code(answer.status).headers(answer.headers).send(answer.body);
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const { port } = app.server.address() as AddressInfo;
      await busway.registerApp({
        name: 'fastify-app',
        endpoint: `http://127.0.0.1:${port}/events`,
        detailTypes: ['Order Paid'],
        auth: { name: 'x-app-key', value: 'fastify-key' },
      });
      await busway.publish([
        { source: 'shop', detailType: 'Order Paid', detail: { total: 50 } },
        { source: 'shop', detailType: 'Order Paid', detail: { total: 250 } },
      ]);
      const [event] = await big.waitFor(1);
      expect(event?.detail).toEqual({ total: 250 });
    } finally {
      await app.close();
    }
  });
});

describe('the router’s answers', () => {
  const event = (detailType: string, detail: unknown = {}) => ({
    version: '0',
    id: 'e-1',
    'detail-type': detailType,
    source: 'shop',
    account: '000000000000',
    time: '2026-01-01T00:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail,
  });
  const router = createEventRouter({ auth: { value: 'k' }, unhandled: 404 })
    .on('Fails', () => {
      throw new Error('boom');
    })
    .on('Refuses', () => {
      throw new EventRejectedError('order o-1 is unknown', { status: 422 });
    })
    .on('Works', () => 42);
  const headers = { 'x-api-key': 'k' };

  it('answers with statuses that say whether Busway should retry', async () => {
    expect(await router.handle({ headers, body: JSON.stringify(event('Works')) })).toMatchObject({
      status: 200,
      body: '{"handled":true,"result":42}',
    });
    const failed = await router.handle({ headers, body: event('Fails') });
    expect(failed.status).toBe(500);
    expect(failed.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(failed.body)).toMatchObject({
      status: 500,
      detail: "The handler of 'Fails' failed: boom",
    });
    const refused = await router.handle({ headers, body: Buffer.from(JSON.stringify(event('Refuses'))) });
    expect(refused.status).toBe(422);
    expect(JSON.parse(refused.body)).toMatchObject({
      title: 'EVENT_REJECTED',
      detail: 'order o-1 is unknown',
    });
    expect((await router.handle({ headers, body: event('Other') })).status).toBe(404);
    expect((await router.handle({ headers: { 'x-api-key': 'wrong' }, body: event('Works') })).status).toBe(
      401,
    );
    expect((await router.handle({ headers: {}, body: event('Works') })).status).toBe(401);
    const notJson = await router.handle({ headers, body: '{' });
    expect(notJson.status).toBe(400);
    expect(JSON.parse(notJson.body).detail).toMatch(/not JSON/);
    const notEvent = await router.handle({ headers, body: { hello: 1 } });
    expect(JSON.parse(notEvent.body).detail).toMatch(/missing: detail-type, source, detail/);
    expect((await router.handle({ method: 'GET', headers, body: '' })).status).toBe(405);
  });

  it('answers the unhandled function’s status and body', async () => {
    const custom = createEventRouter({
      auth: { type: 'NONE' },
      unhandled: (e) => ({ status: 202, body: { ignored: e['detail-type'] } }),
    });
    expect(await custom.handle({ headers: {}, body: event('X') })).toMatchObject({
      status: 202,
      body: '{"ignored":"X"}',
    });
  });

  it('refuses bad configuration with what to fix', () => {
    expect(() => createEventRouter({} as never)).toThrow(InvalidArgumentError);
    expect(() => createEventRouter({ auth: { value: '' } })).toThrow(/auth.value must be the API key/);
    expect(() => createEventRouter({ auth: { type: 'OAUTH_CLIENT_CREDENTIALS' } as never })).toThrow(
      /auth.verifyToken must be a function/,
    );
    expect(() => createEventRouter({ auth: { type: 'KERBEROS' } as never })).toThrow(
      /auth.type must be API_KEY/,
    );
    expect(() => createEventRouter({ auth: { value: 'k' }, unhandled: 99 })).toThrow(
      /unhandled must be an HTTP status/,
    );
    const r = createEventRouter({ auth: { value: 'k' } }).on('A', () => undefined);
    expect(() => r.on('A', () => undefined)).toThrow(/'A' already has a handler/);
    expect(() => r.onPattern({ source: 'shop' }, () => undefined)).toThrow(/invalid EventBridge pattern/);
    expect(() => new EventRejectedError('x', { status: 500 })).toThrow(/must be an HTTP 4xx status/);
  });
});

describe('registerApp', () => {
  it('re-applies the same registration without duplicates and removes rules of dropped types', async () => {
    const app = {
      name: 'orders-app',
      endpoint: 'http://127.0.0.1:9/events',
      detailTypes: ['Order Placed', 'Order Cancelled'],
      auth: { value: 'k1' },
    };
    const first = await busway.registerApp(app);
    const second = await busway.registerApp({ ...app, auth: { value: 'k2' } });
    expect(second.connectionArn).toBe(first.connectionArn);
    expect(second.apiDestinationArn).toBe(first.apiDestinationArn);
    expect(second.rules).toEqual(first.rules);
    expect(second.removedRules).toEqual([]);
    for (const rule of second.rules) {
      const targets = await s.client.send(new ListTargetsByRuleCommand({ Rule: rule.name }));
      expect(targets.Targets).toHaveLength(1);
    }
    const listed = await s.client.send(new ListRulesCommand({ NamePrefix: 'orders-app.' }));
    expect(listed.Rules?.map((rule) => rule.Name).sort()).toEqual(
      first.rules.map((rule) => rule.name).sort(),
    );

    const third = await busway.registerApp({ ...app, detailTypes: ['Order Placed'] });
    expect(third.removedRules).toEqual([first.rules[1]?.name]);
    expect(third.rules.map((r) => r.name)).toEqual([first.rules[0]?.name]);
  });

  it('refuses a registration it cannot apply, saying what to change', async () => {
    const base = { name: 'a', endpoint: 'http://127.0.0.1:9/', detailTypes: ['T'], auth: { value: 'k' } };
    await expect(busway.registerApp({ ...base, name: 'has space' })).rejects.toThrow(
      /name must be 1 to 40 letters/,
    );
    await expect(busway.registerApp({ ...base, endpoint: 'ftp://x' })).rejects.toThrow(
      /endpoint must be the app's receive URL/,
    );
    await expect(busway.registerApp({ ...base, detailTypes: [] })).rejects.toThrow(/pass router.detailTypes/);
    await expect(busway.registerApp({ ...base, detailTypes: ['T', 'T'] })).rejects.toThrow(
      /lists a detail-type twice/,
    );
    await expect(busway.registerApp({ ...base, auth: undefined as never })).rejects.toThrow(
      /auth must say how Busway authenticates/,
    );
    await expect(
      busway.registerApp({ ...base, auth: { type: 'BASIC', username: 'u' } as never }),
    ).rejects.toThrow(/auth.password must be a non-empty string/);
  });
});
