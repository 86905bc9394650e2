/**
 * What was acknowledged survives: rules, targets, tags and events written before a clean restart are
 * there after it, and so are those written just before the process is killed with SIGKILL (the real
 * `busway serve` in a child process). Also the CLI's start/stop contract: exactly one stdout line
 * `busway listening on http://127.0.0.1:<port>`, exit 0 on SIGTERM.
 */
import { join } from 'node:path';
import {
  CreateEventBusCommand,
  DescribeEventBusCommand,
  DescribeRuleCommand,
  ListEventBusesCommand,
  ListTagsForResourceCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { ensureStopped, runCli, spawnServe, type ServeProcess } from '../support/cli-process.js';
import { expectRawError, rawRequest } from '../support/raw-request.js';
import {
  createEventBridgeClient,
  createTempDir,
  removeDir,
  startTestServer,
  TEST_ACCOUNT,
  TEST_REGION,
  type TestServer,
} from '../support/server.js';

const ARN_PREFIX = `arn:aws:events:${TEST_REGION}:${TEST_ACCOUNT}`;
const QUEUE_ARN = `arn:aws:sqs:${TEST_REGION}:${TEST_ACCOUNT}:restart-queue`;
/** The SQLite file inside the data dir (app.ts SQLITE_FILE). */
const SQLITE_FILE = 'busway.sqlite';

const dirs: string[] = [];
function tempDir(): string {
  const dir = createTempDir('busway-restart-');
  dirs.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of dirs) removeDir(dir);
});

describe('a clean restart on the same data dir', () => {
  let server: TestServer | undefined;

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('keeps buses, rules, targets, tags and events', async () => {
    const dataDir = tempDir();
    server = await startTestServer({ dataDir });
    let client = server.client;
    await client.send(new CreateEventBusCommand({ Name: 'kept', Description: 'survives restarts' }));
    await client.send(
      new PutRuleCommand({
        Name: 'kept-rule',
        EventBusName: 'kept',
        EventPattern: '{"source":["shop"]}',
        State: 'DISABLED',
        Description: 'a rule',
        Tags: [{ Key: 'team', Value: 'shop' }],
      }),
    );
    const targets = [
      { Id: 'q', Arn: QUEUE_ARN, InputPath: '$.detail' },
      { Id: 'r', Arn: QUEUE_ARN, Input: '{"fixed":1}' },
    ];
    await client.send(new PutTargetsCommand({ Rule: 'kept-rule', EventBusName: 'kept', Targets: targets }));
    const put = await client.send(
      new PutEventsCommand({
        Entries: [
          { EventBusName: 'kept', Source: 'shop', DetailType: 'a', Detail: '{"n":1}' },
          { EventBusName: 'kept', Source: 'shop', DetailType: 'b', Detail: '{"n":2}' },
        ],
      }),
    );
    const ids = put.Entries!.map((e) => e.EventId!);
    const envelopes = await Promise.all(
      ids.map(async (id) => (await server!.app.store.getEvent(id))?.envelope),
    );
    await server.close();

    server = await startTestServer({ dataDir });
    client = server.client;
    const bus = await client.send(new DescribeEventBusCommand({ Name: 'kept' }));
    expect(bus).toMatchObject({ Name: 'kept', Description: 'survives restarts' });
    const rule = await client.send(new DescribeRuleCommand({ Name: 'kept-rule', EventBusName: 'kept' }));
    expect(rule).toMatchObject({
      Arn: `${ARN_PREFIX}:rule/kept/kept-rule`,
      EventPattern: '{"source":["shop"]}',
      State: 'DISABLED',
      Description: 'a rule',
    });
    const listed = await client.send(
      new ListTargetsByRuleCommand({ Rule: 'kept-rule', EventBusName: 'kept' }),
    );
    expect(listed.Targets).toEqual(targets);
    const tags = await client.send(new ListTagsForResourceCommand({ ResourceARN: rule.Arn }));
    expect(tags.Tags).toEqual([{ Key: 'team', Value: 'shop' }]);
    for (const [i, id] of ids.entries()) {
      const event = await server.app.store.getEvent(id);
      expect(event?.envelope).toBe(envelopes[i]);
      expect(event?.busName).toBe('kept');
    }
  });
});

describe('busway serve (the CLI in a child process)', () => {
  let proc: ServeProcess | undefined;

  afterEach(async () => {
    await ensureStopped(proc);
    proc = undefined;
  });

  it('prints exactly one stdout line and exits 0 on SIGTERM', { timeout: 30_000 }, async () => {
    proc = await spawnServe(tempDir());
    expect(proc.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(Number(new URL(proc.url).port)).toBeGreaterThan(0);
    const client = createEventBridgeClient(proc.url);
    try {
      const out = await client.send(new ListEventBusesCommand({}));
      expect(out.EventBuses!.map((b) => b.Name)).toContain('default');
    } finally {
      client.destroy();
    }
    const exit = await proc.stop('SIGTERM');
    expect(exit).toEqual({ code: 0, signal: null });
    expect(proc.stdout()).toBe(`busway listening on ${proc.url}\n`);
  });

  it(
    'shuts down cleanly on a SIGTERM sent the moment the listening line appears',
    { timeout: 30_000 },
    async () => {
      // A supervisor may stop the server as soon as it has announced itself. The line must therefore come
      // after the signal handlers are in place; otherwise SIGTERM's default action kills the process.
      const exits: Array<{ code: number | null; signal: NodeJS.Signals | null }> = [];
      for (let i = 0; i < 3; i++) {
        proc = await spawnServe(tempDir());
        exits.push(await proc.stop('SIGTERM'));
      }
      expect(exits).toEqual(Array.from({ length: 3 }, () => ({ code: 0, signal: null })));
    },
  );

  it(
    'refuses to serve 0.0.0.0 without keys, and serves it with --insecure',
    { timeout: 30_000 },
    async () => {
      const refused = await runCli(['serve', '--port', '0', '--host', '0.0.0.0', '--data-dir', tempDir()]);
      expect(refused.code).not.toBe(0);
      expect(refused.code).not.toBeNull();
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toMatch(/without access keys/);

      proc = await spawnServe(tempDir(), ['--host', '0.0.0.0', '--insecure']);
      expect(proc.url).toMatch(/^http:\/\/0\.0\.0\.0:\d+$/);
      expect((await rawRequest(`http://127.0.0.1:${new URL(proc.url).port}`)).status).toBe(200);
      expect(await proc.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    },
  );

  it(
    'verifies signatures with BUSWAY_ACCESS_KEY_ID and BUSWAY_SECRET_ACCESS_KEY',
    { timeout: 30_000 },
    async () => {
      const key = { accessKeyId: 'AKIDFROMENV', secretAccessKey: 'secret-from-the-environment-0123456789' };
      proc = await spawnServe(tempDir(), [], {
        BUSWAY_ACCESS_KEY_ID: key.accessKeyId,
        BUSWAY_SECRET_ACCESS_KEY: key.secretAccessKey,
      });
      expectRawError(
        await rawRequest(proc.url),
        'MissingAuthenticationTokenException',
        'Missing Authentication Token',
      );
      const client = createEventBridgeClient(proc.url, { credentials: key });
      try {
        expect((await client.send(new ListEventBusesCommand({}))).$metadata.httpStatusCode).toBe(200);
      } finally {
        client.destroy();
      }
      expect(await proc.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    },
  );

  it('keeps the rule and the acknowledged events after SIGKILL', { timeout: 30_000 }, async () => {
    const dataDir = tempDir();
    proc = await spawnServe(dataDir);
    let client = createEventBridgeClient(proc.url);
    let eventIds: string[];
    try {
      await client.send(new PutRuleCommand({ Name: 'crash-rule', EventPattern: '{"source":["crash"]}' }));
      await client.send(
        new PutTargetsCommand({ Rule: 'crash-rule', Targets: [{ Id: 'q', Arn: QUEUE_ARN }] }),
      );
      const put = await client.send(
        new PutEventsCommand({
          Entries: Array.from({ length: 10 }, (_, i) => ({
            Source: i % 2 === 0 ? 'crash' : 'other',
            DetailType: 'before kill',
            Detail: JSON.stringify({ i }),
          })),
        }),
      );
      expect(put.FailedEntryCount).toBe(0);
      eventIds = put.Entries!.map((e) => e.EventId!);
      // As soon as PutEvents answered: no graceful shutdown, no checkpoint.
      proc.child.kill('SIGKILL');
    } finally {
      client.destroy();
    }
    expect((await proc.exited).signal).toBe('SIGKILL');

    proc = await spawnServe(dataDir);
    client = createEventBridgeClient(proc.url);
    try {
      const rule = await client.send(new DescribeRuleCommand({ Name: 'crash-rule' }));
      expect(rule).toMatchObject({
        Arn: `${ARN_PREFIX}:rule/crash-rule`,
        EventPattern: '{"source":["crash"]}',
      });
      const targets = await client.send(new ListTargetsByRuleCommand({ Rule: 'crash-rule' }));
      expect(targets.Targets).toEqual([{ Id: 'q', Arn: QUEUE_ARN }]);
    } finally {
      client.destroy();
    }
    expect(await proc.stop('SIGTERM')).toEqual({ code: 0, signal: null });

    const store = createSqliteStore({ path: join(dataDir, SQLITE_FILE) });
    try {
      for (const [i, id] of eventIds.entries()) {
        const event = await store.getEvent(id);
        expect(event, `event ${i} (${id})`).toBeDefined();
        const envelope = JSON.parse(event!.envelope) as Record<string, unknown>;
        expect(envelope).toMatchObject({ id, 'detail-type': 'before kill', detail: { i } });
        // The matched events were stored with their delivery, in the same transaction.
        const deliveries = await store.listDeliveries({ eventId: id }, { limit: 10 });
        expect(deliveries.items.map((d) => d.targetId)).toEqual(i % 2 === 0 ? ['q'] : []);
      }
    } finally {
      await store.close();
    }
  });
});
