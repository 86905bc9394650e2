/**
 * The live tail over real HTTP: a fetch SSE client reads events put by the AWS SDK, with and without a
 * pattern; errors; signatures once keys exist; heartbeats; the slow-consumer limit; app.close().
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { parsePattern } from '@busway/patterns';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, type BuswayApp } from '../../src/index.js';
import type { TailOptions } from '../../src/observe/tail.js';
import { signedGet } from '../support/raw-request.js';
import {
  createEventBridgeClient,
  createTempDir,
  removeDir,
  startTestServer,
  testConfig,
  type TestServer,
} from '../support/server.js';
import { putEvents, setUpBus, SseReader } from './observe-fixture.js';

const KEY = {
  accessKeyId: 'AKIDBUSWAYTAILTEST',
  secretAccessKey: 'tail-secret-abcdefghijklmnopqrstuvwxyz0123',
};

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function server(options: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  const started = await startTestServer(options);
  cleanups.push(() => started.close());
  return started;
}

/** A server built with tail options of its own (startTestServer takes only configuration). */
async function serverWithTail(tail: TailOptions): Promise<{ app: BuswayApp; url: string }> {
  const dir = createTempDir();
  const app = await buildApp(testConfig(dir), { tail });
  cleanups.push(async () => {
    await app.close();
    removeDir(dir);
  });
  await app.http.listen({ port: 0, host: '127.0.0.1' });
  const address = app.http.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return { app, url: `http://127.0.0.1:${port}` };
}

async function openTail(url: string, query: string, credentials?: typeof KEY): Promise<SseReader> {
  const controller = new AbortController();
  const response = await signedGet(`${url}/busway/tail?${query}`, credentials, controller.signal);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
  const reader = new SseReader(response);
  cleanups.push(async () => {
    controller.abort();
    await reader.done;
  });
  return reader;
}

describe('GET /busway/tail', () => {
  it('streams every event stored on the bus, in order, as its envelope; other buses stay out', async () => {
    const s = await server();
    await setUpBus(s.client, 'orders', [
      { name: 'all', pattern: { source: ['app.orders'] }, targets: ['t1'] },
    ]);
    await setUpBus(s.client, 'other', []);
    const tail = await openTail(s.url, 'bus=orders');
    const ids = await putEvents(s.client, 'orders', [
      { detail: { n: 1 } },
      { detail: { n: 2 }, source: 'app.unmatched' },
    ]);
    await putEvents(s.client, 'other', [{ detail: { n: 99 } }]);
    const more = await putEvents(s.client, 'orders', [{ detail: { n: 3 } }]);
    await tail.waitFor((r) => r.envelopes().length >= 3, 'three events');
    const envelopes = tail.envelopes();
    expect(envelopes.map((e) => e['id'])).toStrictEqual([...ids, ...more]);
    expect(envelopes.map((e) => (e['detail'] as { n: number }).n)).toStrictEqual([1, 2, 3]);
    // Exactly the stored envelope, as targets get it.
    const stored = await s.app.store.getEvent(ids[0] ?? '');
    expect(tail.messages.find((m) => m.event === 'event')?.data).toBe(stored?.envelope);
    expect(tail.comments[0]).toBe('tailing bus orders');
  });

  it('sends only the events matching a URL-encoded EventBridge pattern', async () => {
    const s = await server();
    const pattern = JSON.stringify({ detail: { total: [{ numeric: ['>', 100] }] } });
    const tail = await openTail(s.url, `bus=default&pattern=${encodeURIComponent(pattern)}`);
    const ids = await putEvents(s.client, 'default', [
      { detail: { total: 50 } },
      { detail: { total: 150 } },
      { detail: { total: 101.5 } },
      { detail: { other: 1 } },
    ]);
    // A marker that matches, put last: once it is in, everything before it has been decided.
    const marker = await putEvents(s.client, 'default', [{ detail: { total: 1000 } }]);
    await tail.waitFor((r) => r.envelopes().some((e) => e['id'] === marker[0]), 'the marker');
    expect(tail.envelopes().map((e) => e['id'])).toStrictEqual([ids[1], ids[2], marker[0]]);
  });

  it('defaults to the default bus and keeps line breaks of a Detail inside one event', async () => {
    const s = await server();
    const tail = await openTail(s.url, '');
    const ids = await putEvents(s.client, 'default', [{ detail: '{\n  "multi": "line"\n}' }]);
    await tail.waitFor((r) => r.envelopes().length === 1, 'the event');
    expect(tail.envelopes()[0]).toMatchObject({ id: ids[0], detail: { multi: 'line' } });
  });

  it("answers a bad pattern with 400 InvalidEventPatternException and the pattern engine's message", async () => {
    const s = await server();
    const bad = '{"detail":{"total":[{"numeric":[">"]}]}}';
    let expected = '';
    try {
      parsePattern(bad);
    } catch (error) {
      expected = (error as Error).message;
    }
    expect(expected).not.toBe('');
    const response = await signedGet(`${s.url}/busway/tail?pattern=${encodeURIComponent(bad)}`);
    expect(response.status).toBe(400);
    expect(await response.json()).toStrictEqual({
      __type: 'InvalidEventPatternException',
      message: expected,
    });
    const notJson = await signedGet(`${s.url}/busway/tail?pattern=${encodeURIComponent('{not json')}`);
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { __type: string }).__type).toBe('InvalidEventPatternException');
  });

  it('answers an unknown bus with 400 ResourceNotFoundException, and a repeated parameter with ValidationException', async () => {
    const s = await server();
    const missing = await signedGet(`${s.url}/busway/tail?bus=ghost`);
    expect(missing.status).toBe(400);
    expect(await missing.json()).toStrictEqual({
      __type: 'ResourceNotFoundException',
      message: 'Event bus ghost does not exist.',
    });
    const twice = await signedGet(`${s.url}/busway/tail?bus=a&bus=b`);
    expect(twice.status).toBe(400);
    expect(((await twice.json()) as { __type: string }).__type).toBe('ValidationException');
  });

  it('requires a valid signature for the service busway once access keys exist', async () => {
    const s = await server({ overrides: KEY, credentials: KEY });
    const unsigned = await signedGet(`${s.url}/busway/tail`);
    expect(unsigned.status).toBe(400);
    expect(((await unsigned.json()) as { __type: string }).__type).toBe(
      'MissingAuthenticationTokenException',
    );
    const wrong = await signedGet(`${s.url}/busway/tail`, { ...KEY, secretAccessKey: 'not-the-secret' });
    expect(((await wrong.json()) as { __type: string }).__type).toBe('InvalidSignatureException');
    const tail = await openTail(s.url, 'bus=default', KEY);
    const ids = await putEvents(s.client, 'default', [{ detail: { signed: true } }]);
    await tail.waitFor((r) => r.envelopes().length === 1, 'the event');
    expect(tail.envelopes()[0]?.['id']).toBe(ids[0]);
  });

  it('sends heartbeat comments while nothing happens', async () => {
    const { url } = await serverWithTail({ heartbeatMs: 20 });
    const tail = await openTail(url, 'bus=default');
    await tail.waitFor((r) => r.comments.filter((c) => c === 'heartbeat').length >= 2, 'two heartbeats');
    expect(tail.messages).toStrictEqual([]);
  });

  it('drops events for a client that stops reading, then tells it how many, without losing count', async () => {
    const { app, url } = await serverWithTail({ maxBufferedBytes: 64 * 1024 });
    const client = createEventBridgeClient(url);
    cleanups.push(async () => client.destroy());
    // A raw client that reads nothing until told to: the server's buffer for it fills.
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = httpRequest(`${url}/busway/tail?bus=default`, resolve);
      req.on('error', reject);
      req.end();
    });
    cleanups.push(async () => {
      response.destroy();
    });
    expect(response.statusCode).toBe(200);
    response.pause();
    // 16 MB in 80 events: far beyond what loopback socket buffers hold for a reader that does not read.
    const detail = JSON.stringify({ pad: 'x'.repeat(200_000) });
    const total = 80;
    for (let i = 0; i < total; i++) await putEvents(client, 'default', [{ detail }]);
    let text = '';
    let events = 0;
    let dropped = 0;
    await new Promise<void>((resolve) => {
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        text += chunk;
        let end: number;
        while ((end = text.indexOf('\n\n')) >= 0) {
          const block = text.slice(0, end);
          text = text.slice(end + 2);
          if (block.startsWith('event: event\n')) events += 1;
          if (block.startsWith('event: dropped\n')) {
            dropped += (JSON.parse(block.slice(block.indexOf('data: ') + 6)) as { dropped: number }).dropped;
          }
        }
        if (events + dropped === total) resolve();
      });
      response.resume();
    });
    expect(dropped).toBeGreaterThan(0);
    expect(events).toBeGreaterThan(0);
    expect(events + dropped).toBe(total);
    expect(app.http.server.listening).toBe(true);
  }, 60_000);

  it('keeps streaming to others when a client goes away mid-stream', async () => {
    const s = await server();
    const controller = new AbortController();
    const leaving = new SseReader(await signedGet(`${s.url}/busway/tail`, undefined, controller.signal));
    const staying = await openTail(s.url, 'bus=default');
    await putEvents(s.client, 'default', [{ detail: { n: 1 } }]);
    await leaving.waitFor((r) => r.envelopes().length === 1, 'the first event');
    controller.abort();
    await leaving.done;
    const ids = await putEvents(s.client, 'default', [{ detail: { n: 2 } }, { detail: { n: 3 } }]);
    await staying.waitFor((r) => r.envelopes().length === 3, 'all three events');
    expect(
      staying
        .envelopes()
        .slice(1)
        .map((e) => e['id']),
    ).toStrictEqual(ids);
    expect(leaving.envelopes()).toHaveLength(1);
  });

  it('ends open streams when the app closes', async () => {
    const { app, url } = await serverWithTail({});
    const tail = await openTail(url, 'bus=default');
    const second = await openTail(url, 'bus=default');
    await app.close();
    await tail.done;
    await second.done;
    expect(tail.ended && second.ended).toBe(true);
  });
});
