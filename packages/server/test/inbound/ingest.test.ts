/**
 * Client-event ingestion (`/ingest/{name}`) end to end: a real server, a real JWKS endpoint, batches
 * of JSON-encoded entries, and per-entry results in PutEvents' shape.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import {
  AUDIENCE,
  busway,
  expectProblem,
  ISSUER,
  mustCall,
  startJwks,
  type Jwks,
} from './inbound-fixture.js';

let server: TestServer;
let jwks: Jwks;

beforeAll(async () => {
  server = await startTestServer();
  jwks = await startJwks();
  await mustCall(server.url, 'CreateIngestEndpoint', {
    Name: 'mobile',
    Source: 'app.mobile',
    DetailTypeExpression: 'entry.eventType',
    Authentication: { JwksUrl: jwks.url, Issuer: ISSUER, Audience: [AUDIENCE] },
    Claims: { 'custom:clientId': 'clientId', sub: 'userId' },
    Constants: { environment: 'test' },
    EntrySchema: {
      type: 'object',
      required: ['eventType'],
      properties: { eventType: { type: 'string' }, at: { type: 'string', format: 'date-time' } },
    },
  });
});
afterAll(async () => {
  await server?.close();
  await jwks?.close();
});

function send(body: unknown, token?: string) {
  return fetch(`${server.url}/ingest/mobile`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token !== undefined && { authorization: `Bearer ${token}` }),
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const entry = (value: unknown) => ({ entry: JSON.stringify(value) });

describe('client-event ingestion', () => {
  it('publishes each entry as an event enriched with claims and constants, and answers per entry', async () => {
    const token = await jwks.sign({ sub: 'user-7', 'custom:clientId': 'ios-42' });
    const response = await send(
      {
        entries: [
          entry({ eventType: 'screen_view', screen: 'home', clientId: 'spoofed' }),
          entry({ screen: 'no type' }),
          { entry: 'not json' },
          entry({ eventType: 'tap', at: 'yesterday' }),
          entry({ eventType: 'purchase', at: '2025-01-02T03:04:05Z' }),
        ],
      },
      token,
    );
    expect(response.status).toBe(200);
    const answer = (await response.json()) as {
      FailedEntryCount: number;
      Entries: Array<Record<string, string>>;
    };
    expect(answer.FailedEntryCount).toBe(3);
    const [first, noType, notJson, badDate, last] = answer.Entries;
    expect(first).toHaveProperty('EventId');
    expect(noType).toMatchObject({ ErrorCode: 'SchemaValidationFailed' });
    expect(noType?.['ErrorMessage']).toContain("must have required property 'eventType'");
    expect(notJson).toMatchObject({ ErrorCode: 'MalformedDetail' });
    expect(badDate).toMatchObject({ ErrorCode: 'SchemaValidationFailed' });
    expect(badDate?.['ErrorMessage']).toContain('date-time');
    expect(last).toHaveProperty('EventId');

    const stored = await server.app.store.getEvent(String(first?.['EventId']));
    const envelope = JSON.parse(stored?.envelope ?? '{}') as Record<string, unknown>;
    expect(envelope).toMatchObject({
      source: 'app.mobile',
      'detail-type': 'screen_view',
      detail: {
        eventType: 'screen_view',
        screen: 'home',
        clientId: 'ios-42',
        userId: 'user-7',
        environment: 'test',
      },
    });
    const described = await mustCall(server.url, 'DescribeIngestEndpoint', { Name: 'mobile' });
    expect(described).toMatchObject({
      Name: 'mobile',
      Path: '/ingest/mobile',
      Authentication: { Type: 'JWT', JwksUrl: jwks.url, Issuer: ISSUER, Audience: [AUDIENCE] },
      Claims: { 'custom:clientId': 'clientId' },
      Stats: { Published: 2 },
    });
  });

  it('refuses batches of the wrong shape or size with 400', async () => {
    const token = await jwks.sign({ sub: 'u' });
    for (const body of [
      '{"entries":',
      { entries: [] },
      { entries: Array.from({ length: 11 }, () => entry({ eventType: 'x' })) },
      { records: [] },
      [1, 2],
    ]) {
      const response = await send(body, token);
      expect(response.status, JSON.stringify(body)).toBe(400);
      await expectProblem(response);
    }
  });

  it('answers 401 without a token or with an expired or wrong-audience one, 405 for GET, 404 for an unknown name', async () => {
    const batch = { entries: [entry({ eventType: 'x' })] };
    expect((await send(batch)).status).toBe(401);
    expect(
      (await send(batch, await jwks.sign({ sub: 'u' }, { expiresIn: Math.floor(Date.now() / 1000) - 10 })))
        .status,
    ).toBe(401);
    expect((await send(batch, await jwks.sign({ sub: 'u' }, { audience: 'web' }))).status).toBe(401);
    expect((await send(batch, await jwks.sign({ sub: 'u' }, { issuer: 'https://elsewhere/' }))).status).toBe(
      401,
    );
    const get = await fetch(`${server.url}/ingest/mobile`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect(
      (await expectProblem(await fetch(`${server.url}/ingest/nope`, { method: 'POST', body: '{}' })))[
        'status'
      ],
    ).toBe(404);
  });

  it('is managed like webhooks: list, refuse a non-JWT authentication, delete', async () => {
    const listed = await mustCall(server.url, 'ListIngestEndpoints', {});
    expect((listed['IngestEndpoints'] as Array<{ Name: string }>).map((e) => e.Name)).toStrictEqual([
      'mobile',
    ]);
    const wrong = await busway(server.url, 'CreateIngestEndpoint', {
      Name: 'basic',
      Authentication: { Type: 'BASIC', Username: 'a', Password: 'b' },
    });
    expect(wrong.body['__type']).toBe('ValidationException');
    await mustCall(server.url, 'CreateIngestEndpoint', {
      Name: 'temp',
      Authentication: { JwksUrl: jwks.url },
    });
    await mustCall(server.url, 'DeleteIngestEndpoint', { Name: 'temp' });
    expect((await busway(server.url, 'DeleteIngestEndpoint', { Name: 'temp' })).body['__type']).toBe(
      'ResourceNotFoundException',
    );
  });
});
