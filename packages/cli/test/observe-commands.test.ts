/**
 * `busway tail` and `busway deliveries`: the real CLI in a child process against a real server on
 * 127.0.0.1, events put with the real AWS SDK, deliveries moved on through the store's own operations.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, loadConfig, type BuswayApp } from '@busway/server';

const BIN = new URL('../src/bin.ts', import.meta.url).pathname;
const KEY = {
  accessKeyId: 'AKIDBUSWAYCLIOBSERVE',
  secretAccessKey: 'cli-observe-secret-abcdefghijklmnopqrstuv',
};

interface Server {
  app: BuswayApp;
  url: string;
  client: EventBridgeClient;
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startServer(keys = false): Promise<Server> {
  const dataDir = mkdtempSync(join(tmpdir(), 'busway-cli-observe-'));
  const app = await buildApp(
    loadConfig({
      env: {},
      overrides: { dataDir, port: 0, host: '127.0.0.1', logLevel: 'silent', ...(keys ? KEY : {}) },
    }),
  );
  await app.http.listen({ port: 0, host: '127.0.0.1' });
  const address = app.http.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  const client = new EventBridgeClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: keys ? { ...KEY } : { accessKeyId: 'any', secretAccessKey: 'any' },
    maxAttempts: 1,
  });
  cleanups.push(async () => {
    client.destroy();
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  await client.send(new CreateEventBusCommand({ Name: 'orders' }));
  await client.send(
    new PutRuleCommand({ Name: 'r1', EventBusName: 'orders', EventPattern: '{"source":["shop"]}' }),
  );
  await client.send(
    new PutTargetsCommand({
      Rule: 'r1',
      EventBusName: 'orders',
      Targets: [{ Id: 'hook', Arn: 'arn:aws:sqs:us-east-1:000000000000:hook' }],
    }),
  );
  return { app, url, client };
}

async function put(server: Server, details: unknown[]): Promise<string[]> {
  const result = await server.client.send(
    new PutEventsCommand({
      Entries: details.map((detail) => ({
        EventBusName: 'orders',
        Source: 'shop',
        DetailType: 'Order',
        Detail: JSON.stringify(detail),
      })),
    }),
  );
  return (result.Entries ?? []).map((e) => e.EventId ?? '');
}

interface Cli {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves when the output satisfies `condition` (or rejects when the process exits first). */
  waitFor: (condition: (out: { stdout: string; stderr: string }) => boolean) => Promise<void>;
  exited: Promise<number | null>;
}

function busway(args: string[], env: Record<string, string> = {}): Cli {
  const clean: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('BUSWAY_') && !k.startsWith('AWS_')) clean[k] = v;
  }
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', BIN, ...args], {
    env: { ...clean, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters: Array<() => void> = [];
  const wake = (): void => {
    for (const w of waiters.splice(0)) w();
  };
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => ((out += chunk), wake()));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => ((err += chunk), wake()));
  let done = false;
  const exited = new Promise<number | null>((resolve) =>
    child.once('close', (code) => {
      done = true;
      wake();
      resolve(code);
    }),
  );
  cleanups.push(async () => {
    if (!done) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    async waitFor(condition) {
      while (!condition({ stdout: out, stderr: err })) {
        if (done) throw new Error(`busway exited first; stdout: ${out}\nstderr: ${err}`);
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
  };
}

describe('busway tail', () => {
  it('prints one JSON envelope per line for the events of a bus matching the pattern, until interrupted', async () => {
    const server = await startServer();
    const cli = busway([
      'tail',
      '--bus',
      'orders',
      '--pattern',
      '{"detail":{"keep":[true]}}',
      '--endpoint-url',
      server.url,
    ]);
    await cli.waitFor(({ stderr }) => stderr.includes('busway tail: tailing bus orders'));
    const ids = await put(server, [{ keep: true, n: 1 }, { keep: false }, { keep: true, n: 2 }]);
    await cli.waitFor(({ stdout }) => stdout.split('\n').length >= 3);
    const lines = cli.stdout().trimEnd().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as { id: string }).id)).toStrictEqual([ids[0], ids[2]]);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({
      source: 'shop',
      'detail-type': 'Order',
      detail: { n: 1 },
    });
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(0);
  }, 60_000);

  it('signs with the BUSWAY_ credentials once keys exist, and reports a refused signature', async () => {
    const server = await startServer(true);
    const refused = busway(['tail', '--bus', 'orders', '--endpoint-url', server.url], {
      BUSWAY_ACCESS_KEY_ID: KEY.accessKeyId,
      BUSWAY_SECRET_ACCESS_KEY: 'wrong',
    });
    expect(await refused.exited).toBe(1);
    expect(refused.stderr()).toContain('busway tail: InvalidSignatureException');
    const cli = busway(['tail', '--bus', 'orders', '--endpoint-url', server.url], {
      BUSWAY_ACCESS_KEY_ID: KEY.accessKeyId,
      BUSWAY_SECRET_ACCESS_KEY: KEY.secretAccessKey,
    });
    await cli.waitFor(({ stderr }) => stderr.includes('tailing bus orders'));
    const ids = await put(server, [{ signed: true }]);
    await cli.waitFor(({ stdout }) => stdout.includes('\n'));
    expect((JSON.parse(cli.stdout()) as { id: string }).id).toBe(ids[0]);
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(0);
  }, 60_000);

  it('exits 1 with the pattern error for a bad pattern, and ends with 0 when the server stops', async () => {
    const server = await startServer();
    const bad = busway(['tail', '--pattern', '{"source":"not-an-array"}', '--endpoint-url', server.url]);
    expect(await bad.exited).toBe(1);
    expect(bad.stderr()).toMatch(/^busway tail: InvalidEventPatternException: Event pattern is not valid\./);
    const cli = busway(['tail', '--endpoint-url', server.url]);
    await cli.waitFor(({ stderr }) => stderr.includes('tailing bus default'));
    await server.app.close();
    expect(await cli.exited).toBe(0);
  }, 60_000);
});

describe('busway deliveries', () => {
  /** Two events; the first one's delivery failed for good after two attempts, the second delivered. */
  async function withHistory(): Promise<{ server: Server; ids: string[] }> {
    const server = await startServer();
    const ids = await put(server, [{ n: 1 }, { n: 2 }]);
    const store = server.app.store;
    const t0 = Date.UTC(2030, 0, 1);
    const claimed = await store.claimDueDeliveries('w', t0 + 10 * 365 * 86_400_000, 30_000, 10);
    for (const d of claimed) {
      const first = d.eventId === ids[0];
      await store.recordAttempt(
        'w',
        {
          deliveryId: d.id,
          attempt: 1,
          startedAt: t0,
          durationMs: 12.25,
          outcome: first ? 'retryable-failure' : 'success',
          statusCode: first ? 503 : 200,
          ...(first && { error: 'HTTP 503' }),
        },
        first ? { status: 'pending', retryAt: t0, error: 'HTTP 503' } : { status: 'delivered' },
        t0,
      );
    }
    const [again] = await store.claimDueDeliveries('w', t0 + 10 * 365 * 86_400_000, 30_000, 10);
    if (again === undefined) throw new Error('the retry was not claimed');
    await store.recordAttempt(
      'w',
      {
        deliveryId: again.id,
        attempt: 2,
        startedAt: t0 + 1000,
        durationMs: 3,
        outcome: 'permanent-failure',
        statusCode: 400,
        error: 'HTTP 400',
        responseExcerpt: '{"error":"bad"}',
      },
      { status: 'failed', error: 'HTTP 400: bad request' },
      t0 + 1001,
    );
    return { server, ids };
  }

  it('prints a table of the failed deliveries of a rule, with every attempt', async () => {
    const { server, ids } = await withHistory();
    const cli = busway([
      'deliveries',
      '--bus',
      'orders',
      '--rule',
      'r1',
      '--status',
      'failed',
      '--attempts',
      '--endpoint-url',
      server.url,
    ]);
    expect(await cli.exited).toBe(0);
    const lines = cli.stdout().trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^DELIVERY\s+EVENT\s+BUS\s+RULE\s+TARGET\s+STATUS\s+ATTEMPTS\s+UPDATED\s+LAST ERROR$/,
    );
    expect(lines[1]).toMatch(
      new RegExp(
        `^\\S+\\s+${ids[0]}\\s+orders\\s+r1\\s+hook\\s+FAILED\\s+2\\s+2030-01-01T00:00:01\\.001Z\\s+HTTP 400: bad request$`,
      ),
    );
    expect(lines[2]).toBe(
      '    attempt 1  2030-01-01T00:00:00.000Z  12.3 ms  RETRYABLE_FAILURE  HTTP 503  HTTP 503',
    );
    expect(lines[3]).toBe(
      '    attempt 2  2030-01-01T00:00:01.000Z  3.0 ms  PERMANENT_FAILURE  HTTP 400  HTTP 400  response: "{\\"error\\":\\"bad\\"}"',
    );
    expect(lines).toHaveLength(4);
  }, 60_000);

  it('prints JSON with --json, filters by event id, and says when nothing matches', async () => {
    const { server, ids } = await withHistory();
    const json = busway(['deliveries', '--event-id', ids[1] ?? '', '--json', '--endpoint-url', server.url]);
    expect(await json.exited).toBe(0);
    const output = JSON.parse(json.stdout()) as { Deliveries: Array<Record<string, unknown>> };
    expect(output.Deliveries).toHaveLength(1);
    expect(output.Deliveries[0]).toMatchObject({ EventId: ids[1], Status: 'DELIVERED', AttemptCount: 1 });
    const none = busway(['deliveries', '--status', 'dead-lettered', '--endpoint-url', server.url]);
    expect(await none.exited).toBe(0);
    expect(none.stdout()).toBe('no deliveries match\n');
  }, 60_000);

  it('refuses a bad status or an unknown option with usage, and an unreachable server clearly', async () => {
    const badStatus = busway(['deliveries', '--status', 'lost']);
    expect(await badStatus.exited).toBe(1);
    expect(badStatus.stderr()).toContain('busway deliveries: --status must be one of pending, in-flight');
    const unknown = busway(['deliveries', '--colour']);
    expect(await unknown.exited).toBe(1);
    expect(unknown.stderr()).toContain("busway deliveries: unknown option '--colour'");
    const unreachable = busway(['deliveries', '--endpoint-url', 'http://127.0.0.1:1']);
    expect(await unreachable.exited).toBe(1);
    expect(unreachable.stderr()).toContain('busway deliveries: cannot reach the server');
  }, 60_000);
});
