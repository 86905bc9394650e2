/**
 * Publishing against a real Busway server (and, for per-entry retries and session tokens, a real
 * node:http endpoint that answers PutEvents the way EventBridge does when it is throttling).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateEventBusCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../server/test/support/server.js';
import {
  createBuswayClient,
  InvalidArgumentError,
  ServiceCallError,
  type BuswayClient,
} from '../src/index.js';

let s: TestServer;
let busway: BuswayClient;
beforeAll(async () => {
  s = await startTestServer({ overrides: { strictEventBus: true } });
  busway = createBuswayClient({
    endpoint: s.url,
    credentials: { accessKeyId: 'AKIDSDK', secretAccessKey: 'x' },
  });
  await s.client.send(new CreateEventBusCommand({ Name: 'orders' }));
});
afterAll(async () => {
  busway.close();
  await s.close();
});

describe('publish', () => {
  it('splits 25 entries into calls of 10 and answers one result per entry, in order', async () => {
    const entries = Array.from({ length: 25 }, (_, i) => ({
      eventBusName: 'orders',
      source: 'shop',
      detailType: 'Order Placed',
      detail: { n: i },
    }));
    const result = await busway.publish(entries);
    expect(result.FailedEntryCount).toBe(0);
    expect(result.requestIds).toHaveLength(3);
    expect(result.requestId).toBe(result.requestIds[0]);
    expect(result.entries).toHaveLength(25);
    for (const [i, entry] of result.entries.entries()) {
      const stored = await s.app.store.getEvent(entry.eventId ?? '');
      expect(stored?.busName).toBe('orders');
      expect(JSON.parse(stored?.envelope ?? '{}').detail).toEqual({ n: i });
    }
  });

  it('reports failed entries in place with their codes (the error path of a workflow task)', async () => {
    const result = await busway.publish([
      { eventBusName: 'orders', source: 'shop', detailType: 'A', detail: {} },
      { eventBusName: 'missing', source: 'shop', detailType: 'B', detail: '{"x":1}' },
      { source: 'aws.shop', detailType: 'C', detail: {} },
    ]);
    expect(result.FailedEntryCount).toBe(2);
    expect(result.entries[0]?.eventId).toMatch(/\S/);
    expect(result.entries[1]).toMatchObject({ errorCode: 'ResourceNotFoundException' });
    expect(result.entries[1]?.eventId).toBeUndefined();
    expect(result.entries[2]).toMatchObject({ errorCode: 'NotAuthorizedForSourceException' });
  });

  it('publishes a single entry given without a list', async () => {
    const result = await busway.publish({ source: 'shop', detailType: 'One', detail: { ok: true } });
    expect(result.entries).toHaveLength(1);
    expect(result.entries[0]?.eventId).toMatch(/\S/);
  });

  it('refuses bad entries before calling, naming the entry and the field', async () => {
    const bad = (entry: unknown) =>
      busway.publish([{ source: 's', detailType: 'd', detail: {} }, entry as never]);
    await expect(bad({ source: '', detailType: 'd', detail: {} })).rejects.toThrow(
      new InvalidArgumentError(
        "entries[1].source must be a non-empty string of at most 256 characters, got ''.",
      ),
    );
    await expect(bad({ source: 's', detail: {} })).rejects.toThrow(
      /entries\[1\]\.detailType must be a non-empty string/,
    );
    await expect(bad({ source: 's', detailType: 'd', detail: '[1]' })).rejects.toThrow(
      /entries\[1\]\.detail must be a JSON object \(EventBridge accepts only objects\), got a list/,
    );
    await expect(bad({ source: 's', detailType: 'd', detail: '{' })).rejects.toThrow(
      /the text given is not JSON/,
    );
    await expect(bad({ source: 's', detailType: 'd', detail: { big: 'x'.repeat(300_000) } })).rejects.toThrow(
      /at most 262144 bytes per event/,
    );
    await expect(bad({ source: 's', detailType: 'd', detail: {}, time: new Date('nope') })).rejects.toThrow(
      /entries\[1\]\.time must be a valid Date/,
    );
    await expect(busway.publish([], { retries: -1 })).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe('credentials', () => {
  const key = { accessKeyId: 'AKIDSDKKEYED', secretAccessKey: 'sdk-secret' };
  let keyed: TestServer;
  beforeAll(async () => {
    keyed = await startTestServer({
      overrides: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey },
    });
  });
  afterAll(async () => keyed.close());
  const saved = { ...process.env };
  afterEach(() => {
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  it('signs with static credentials, and a wrong secret gets the server’s signature error', async () => {
    const good = createBuswayClient({ endpoint: keyed.url, credentials: key, maxAttempts: 1 });
    const wrong = createBuswayClient({
      endpoint: keyed.url,
      credentials: { ...key, secretAccessKey: 'no' },
      maxAttempts: 1,
    });
    try {
      const result = await good.publish({ source: 's', detailType: 'd', detail: {} });
      expect(result.FailedEntryCount).toBe(0);
      const error = await wrong
        .publish({ source: 's', detailType: 'd', detail: {} })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ServiceCallError);
      expect((error as ServiceCallError).awsType).toBe('InvalidSignatureException');
    } finally {
      good.close();
      wrong.close();
    }
  });

  it('uses the default chain (environment variables) when no credentials are given', async () => {
    process.env['AWS_ACCESS_KEY_ID'] = key.accessKeyId;
    process.env['AWS_SECRET_ACCESS_KEY'] = key.secretAccessKey;
    delete process.env['AWS_SESSION_TOKEN'];
    delete process.env['AWS_PROFILE'];
    const client = createBuswayClient({ endpoint: keyed.url, maxAttempts: 1 });
    try {
      expect((await client.publish({ source: 's', detailType: 'd', detail: {} })).FailedEntryCount).toBe(0);
      expect(await client.callBusway('CreateTask', {})).toHaveProperty('TaskToken');
    } finally {
      client.close();
    }
  });

  it('refuses unusable client options with what to pass instead', () => {
    expect(() => createBuswayClient({ endpoint: 'localhost:4010' })).toThrow(
      /endpoint must be an http:\/\/ or https:\/\/ URL such as 'http:\/\/127.0.0.1:4010'/,
    );
    expect(() => createBuswayClient({ credentials: { accessKeyId: 'a' } as never })).toThrow(
      /credentials must be \{ accessKeyId, secretAccessKey \}/,
    );
    expect(() => createBuswayClient({ maxAttempts: 0 })).toThrow(
      /maxAttempts must be an integer of 1 or more/,
    );
  });
});

describe('per-entry retries', () => {
  /** An EventBridge stand-in: entries whose detail says `fail` get `code` on their first `times` sends. */
  async function startThrottlingEndpoint() {
    const seen: Array<{ sources: string[]; securityToken: string | undefined }> = [];
    const failures = new Map<string, number>();
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          Entries: Array<{ Source: string; Detail: string }>;
        };
        const token = req.headers['x-amz-security-token'];
        seen.push({
          sources: body.Entries.map((e) => e.Source),
          securityToken: Array.isArray(token) ? token[0] : token,
        });
        let failed = 0;
        const entries = body.Entries.map((entry) => {
          const plan = JSON.parse(entry.Detail) as { fail?: string; times?: number };
          const count = failures.get(entry.Source) ?? 0;
          if (plan.fail !== undefined && count < (plan.times ?? 1)) {
            failures.set(entry.Source, count + 1);
            failed += 1;
            return { ErrorCode: plan.fail, ErrorMessage: `${plan.fail} for ${entry.Source}` };
          }
          return { EventId: `id-${entry.Source}` };
        });
        res.writeHead(200, {
          'content-type': 'application/x-amz-json-1.1',
          'x-amzn-requestid': `req-${seen.length}`,
        });
        res.end(JSON.stringify({ FailedEntryCount: failed, Entries: entries }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { url, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  }

  it('sends entries failed with ThrottlingException or InternalFailure again, keeps the rest, in order', async () => {
    const endpoint = await startThrottlingEndpoint();
    const client = createBuswayClient({
      endpoint: endpoint.url,
      credentials: { accessKeyId: 'ASIATEMP', secretAccessKey: 's', sessionToken: 'session-token-1' },
      publish: { retryBaseDelayMs: 1 },
    });
    try {
      const result = await client.publish([
        { source: 'a', detailType: 'd', detail: {} },
        { source: 'b', detailType: 'd', detail: { fail: 'ThrottlingException', times: 2 } },
        { source: 'c', detailType: 'd', detail: { fail: 'MalformedDetail' } },
        { source: 'e', detailType: 'd', detail: { fail: 'InternalFailure' } },
        { source: 'f', detailType: 'd', detail: { fail: 'ThrottlingException', times: 10 } },
      ]);
      expect(endpoint.seen.map((call) => call.sources)).toEqual([
        ['a', 'b', 'c', 'e', 'f'],
        ['b', 'e', 'f'],
        ['b', 'f'],
        ['f'],
      ]);
      // Temporary credentials: the session token goes with every call.
      expect(endpoint.seen.every((call) => call.securityToken === 'session-token-1')).toBe(true);
      expect(result.entries).toEqual([
        { eventId: 'id-a' },
        { eventId: 'id-b' },
        { errorCode: 'MalformedDetail', errorMessage: 'MalformedDetail for c' },
        { eventId: 'id-e' },
        { errorCode: 'ThrottlingException', errorMessage: 'ThrottlingException for f' },
      ]);
      expect(result.FailedEntryCount).toBe(2);
      expect(result.requestIds).toEqual(['req-1', 'req-2', 'req-3', 'req-4']);
    } finally {
      client.close();
      await endpoint.close();
    }
  });
});
