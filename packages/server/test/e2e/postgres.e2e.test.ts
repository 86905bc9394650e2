/**
 * The real `busway serve --database-url postgres://...` (child processes), two of them on one schema as
 * two nodes, driven by the AWS SDK: PutEvents on either node is stored in PostgreSQL, a queue created on
 * one node is used from the other, a FIFO queue keeps its group's order while consumers alternate
 * between the nodes, a rule made on one node routes events put on the other, events reach an HTTP
 * endpoint whichever node took them, and a node killed with SIGKILL under load loses its deliveries to
 * the other. Skips without BUSWAY_TEST_DATABASE_URL.
 */
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import {
  CreateApiDestinationCommand,
  CreateConnectionCommand,
  DescribeEventBusCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { ensureStopped, spawnServe, type ServeProcess } from '../support/cli-process.js';
import { startHttpTarget, type HttpTarget } from '../support/http-target.js';
import {
  connectAdmin,
  dropSchema,
  SKIP_REASON,
  TEST_DATABASE_URL,
  testSchemaName,
} from '../support/postgres.js';
import {
  ANY_CREDENTIALS,
  createEventBridgeClient,
  createTempDir,
  removeDir,
  TEST_REGION,
} from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

const SUITE =
  TEST_DATABASE_URL === undefined
    ? `busway serve on PostgreSQL: ${SKIP_REASON}`
    : 'busway serve on PostgreSQL';

function sqsClient(url: string): SQSClient {
  return new SQSClient({
    endpoint: url,
    region: TEST_REGION,
    credentials: { ...ANY_CREDENTIALS },
    maxAttempts: 1,
  });
}

/**
 * A connection, an API destination to `target` and a rule sending events of `source` to it, made through
 * `client` (one node).
 */
async function routeToEndpoint(client: EventBridgeClient, name: string, source: string, target: HttpTarget) {
  const connection = await client.send(
    new CreateConnectionCommand({
      Name: name,
      AuthorizationType: 'API_KEY',
      AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: 'x-api-key', ApiKeyValue: 'k' } },
    }),
  );
  const destination = await client.send(
    new CreateApiDestinationCommand({
      Name: name,
      ConnectionArn: connection.ConnectionArn!,
      InvocationEndpoint: `${target.url}/${name}`,
      HttpMethod: 'POST',
      InvocationRateLimitPerSecond: 300,
    }),
  );
  await client.send(new PutRuleCommand({ Name: name, EventPattern: JSON.stringify({ source: [source] }) }));
  await client.send(
    new PutTargetsCommand({ Rule: name, Targets: [{ Id: 'http', Arn: destination.ApiDestinationArn! }] }),
  );
}

/** Puts one event of `source` on a node until one is routed (its deliveries are written with it). */
async function waitUntilRouted(admin: pg.Client, schema: string, client: EventBridgeClient, source: string) {
  const started = Date.now();
  const ids: string[] = [];
  await waitFor(
    async () => {
      const out = await client.send(
        new PutEventsCommand({ Entries: [{ Source: source, DetailType: 'probe', Detail: '{}' }] }),
      );
      ids.push(out.Entries?.[0]?.EventId ?? '');
      const { rows } = await admin.query(`SELECT 1 FROM "${schema}".deliveries WHERE event_id = $1`, [
        ids.at(-1),
      ]);
      return rows.length;
    },
    (count) => count === 1,
    { what: `an event of ${source} routed by a rule made on the other node`, intervalMs: 20 },
  );
  return { ms: Date.now() - started, probes: ids };
}

/** Event ids of the requests an endpoint received, with how many times each came. */
function receivedIds(target: HttpTarget): Map<string, number> {
  const seen = new Map<string, number>();
  for (const request of target.requests) {
    const id = (JSON.parse(request.body) as { id: string }).id;
    seen.set(id, (seen.get(id) ?? 0) + 1);
  }
  return seen;
}

describe.skipIf(TEST_DATABASE_URL === undefined)(SUITE, () => {
  const url = TEST_DATABASE_URL ?? '';
  const schema = testSchemaName('postgres.e2e.test.ts', 'two nodes');
  let admin: pg.Client;
  const nodes: ServeProcess[] = [];
  const dirs: string[] = [];
  let failed = false;

  beforeAll(async () => {
    admin = await connectAdmin(url);
    await dropSchema(admin, schema);
    // The data dir still holds the key-encryption key; the nodes share everything else through PostgreSQL.
    // Started together: the migration lock lets one migrate while the other waits.
    const args = ['--database-url', url, '--database-schema', schema];
    const dir = createTempDir('busway-pg-e2e-');
    dirs.push(dir);
    nodes.push(...(await Promise.all([spawnServe(dir, args), spawnServe(dir, args)])));
  }, 60_000);

  afterEach((context) => {
    if (context.task.result?.state === 'fail' || (context.task.result?.errors?.length ?? 0) > 0)
      failed = true;
  });

  afterAll(async () => {
    for (const node of nodes) await ensureStopped(node);
    for (const dir of dirs) removeDir(dir);
    if (failed) process.stderr.write(`kept the schema ${schema} of the failed PostgreSQL e2e tests\n`);
    else await dropSchema(admin, schema);
    await admin.end();
  });

  it('stores PutEvents from either node in PostgreSQL, once per entry', { timeout: 30_000 }, async () => {
    const [a, b] = nodes.map((node) => createEventBridgeClient(node.url));
    const put = (client: typeof a, n: number) =>
      client!.send(
        new PutEventsCommand({
          Entries: Array.from({ length: n }, (_, i) => ({
            Source: 'app.orders',
            DetailType: 'OrderPlaced',
            Detail: JSON.stringify({ n: i }),
          })),
        }),
      );
    const [fromA, fromB] = await Promise.all([put(a, 3), put(b, 2)]);
    expect(fromA.FailedEntryCount).toBe(0);
    expect(fromB.FailedEntryCount).toBe(0);
    const ids = [...(fromA.Entries ?? []), ...(fromB.Entries ?? [])].map((entry) => entry.EventId);
    const stored = await admin.query<{ id: string; envelope: string }>(
      `SELECT id, envelope FROM "${schema}".events WHERE id = ANY ($1::text[]) ORDER BY id`,
      [ids],
    );
    expect(stored.rows.map((row) => row.id)).toStrictEqual([...ids].sort());
    for (const row of stored.rows) {
      expect(JSON.parse(row.envelope)).toMatchObject({
        id: row.id,
        source: 'app.orders',
        'detail-type': 'OrderPlaced',
      });
    }
    // Both nodes see the one default bus.
    for (const client of [a!, b!]) {
      expect((await client.send(new DescribeEventBusCommand({ Name: 'default' }))).Name).toBe('default');
    }
    a!.destroy();
    b!.destroy();
  });

  it('sends on one node and receives and deletes on the other', { timeout: 30_000 }, async () => {
    const [a, b] = nodes.map((node) => sqsClient(node.url));
    const { QueueUrl } = await a!.send(new CreateQueueCommand({ QueueName: 'shared-jobs' }));
    await a!.send(new SendMessageCommand({ QueueUrl, MessageBody: 'job 1' }));
    const received = await b!.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    expect(received.Messages?.map((m) => m.Body)).toStrictEqual(['job 1']);
    // Received on B: invisible on A too.
    expect((await a!.send(new ReceiveMessageCommand({ QueueUrl }))).Messages ?? []).toStrictEqual([]);
    await b!.send(
      new DeleteMessageCommand({ QueueUrl, ReceiptHandle: received.Messages![0]!.ReceiptHandle }),
    );
    const attributes = await a!.send(
      new GetQueueAttributesCommand({
        QueueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    expect(attributes.Attributes).toStrictEqual({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
    });
    a!.destroy();
    b!.destroy();
  });

  it(
    'keeps a FIFO group in order while its consumers alternate between nodes',
    { timeout: 30_000 },
    async () => {
      const clients = nodes.map((node) => sqsClient(node.url));
      const { QueueUrl } = await clients[0]!.send(
        new CreateQueueCommand({ QueueName: 'orders.fifo', Attributes: { FifoQueue: 'true' } }),
      );
      await clients[1]!.send(
        new SendMessageBatchCommand({
          QueueUrl,
          Entries: Array.from({ length: 6 }, (_, i) => ({
            Id: `m${i}`,
            MessageBody: `step ${i}`,
            MessageGroupId: 'order-1',
            MessageDeduplicationId: `order-1-${i}`,
          })),
        }),
      );
      const bodies: string[] = [];
      for (let i = 0; i < 6; i += 1) {
        const client = clients[i % 2]!;
        const { Messages = [] } = await client.send(
          new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 1 }),
        );
        expect(Messages).toHaveLength(1);
        // The group is held while its message is in flight: the other node gets nothing from it.
        const other = clients[(i + 1) % 2]!;
        expect((await other.send(new ReceiveMessageCommand({ QueueUrl }))).Messages ?? []).toStrictEqual([]);
        bodies.push(Messages[0]!.Body ?? '');
        await client.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: Messages[0]!.ReceiptHandle }));
      }
      expect(bodies).toStrictEqual(Array.from({ length: 6 }, (_, i) => `step ${i}`));
      for (const client of clients) client.destroy();
    },
  );

  it(
    'routes events put on node B by a rule made on node A, and delivers those of both nodes to the endpoint',
    { timeout: 30_000 },
    async () => {
      const target = await startHttpTarget();
      const [a, b] = nodes.map((node) => createEventBridgeClient(node.url)) as [
        EventBridgeClient,
        EventBridgeClient,
      ];
      await routeToEndpoint(a, 'shared-endpoint', 'app.shared', target);
      const routed = await waitUntilRouted(admin, schema, b, 'app.shared');
      console.log(`a rule made on node A routed events put on node B after ${routed.ms} ms`);
      const put = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          (i % 2 === 0 ? a : b).send(
            new PutEventsCommand({
              Entries: Array.from({ length: 5 }, () => ({
                Source: 'app.shared',
                DetailType: 'n',
                Detail: '{}',
              })),
            }),
          ),
        ),
      );
      const ids = [
        ...routed.probes.slice(-1),
        ...put.flatMap((out) => (out.Entries ?? []).map((e) => e.EventId!)),
      ];
      expect(ids).toHaveLength(51);
      await waitFor(
        async () => ids.filter((id) => !receivedIds(target).has(id)).length,
        (missing) => missing === 0,
        { what: 'every event at the endpoint' },
      );
      expect(target.requests.every((request) => request.url === '/shared-endpoint')).toBe(true);
      a.destroy();
      b.destroy();
      await target.close();
    },
  );
});

describe.skipIf(TEST_DATABASE_URL === undefined)(`${SUITE}: a node killed under load`, () => {
  const url = TEST_DATABASE_URL ?? '';
  const schema = testSchemaName('postgres.e2e.test.ts', 'kill one node');
  const EVENTS = 1500;
  const BATCH = 10;
  let admin: pg.Client;
  let nodes: ServeProcess[] = [];
  let target: HttpTarget | undefined;
  const dir = createTempDir('busway-pg-kill-');

  afterAll(async () => {
    for (const node of nodes) await ensureStopped(node);
    await target?.close();
    removeDir(dir);
    await dropSchema(admin, schema);
    await admin.end();
  });

  it('delivers every acknowledged event at least once: the survivor takes the dead node’s leases over', async () => {
    admin = await connectAdmin(url);
    await dropSchema(admin, schema);
    // Leases of 1 s: deliveries the killed node held are taken over by the other a second later.
    const args = ['--database-url', url, '--database-schema', schema, '--delivery-lease-ms', '1000'];
    nodes = await Promise.all([spawnServe(dir, args), spawnServe(dir, args)]);
    const [victim, survivor] = nodes as [ServeProcess, ServeProcess];
    target = await startHttpTarget();
    // A slow-ish endpoint keeps deliveries in flight when the kill comes.
    target.respond(() => ({ delayMs: 2 }));
    const clients = [createEventBridgeClient(victim.url), createEventBridgeClient(survivor.url)] as const;
    await routeToEndpoint(clients[0], 'kill-endpoint', 'app.kill', target);
    const probe = await waitUntilRouted(admin, schema, clients[1], 'app.kill');

    const acknowledged = new Set<string>(probe.probes.slice(-1));
    let next = 0;
    let killed = false;
    const putBatches = async (caller: number): Promise<void> => {
      while (next < EVENTS) {
        next += BATCH;
        // Callers alternate between the nodes until the kill, then put on the survivor.
        const client = killed ? clients[1] : clients[caller % 2]!;
        try {
          const out = await client.send(
            new PutEventsCommand({
              Entries: Array.from({ length: BATCH }, () => ({
                Source: 'app.kill',
                DetailType: 'n',
                Detail: '{}',
              })),
            }),
          );
          for (const entry of out.Entries ?? [])
            if (entry.EventId !== undefined) acknowledged.add(entry.EventId);
        } catch {
          // A call the kill cut off: no EventId, nothing promised.
        }
        if (!killed && acknowledged.size >= EVENTS / 2) {
          killed = true;
          victim.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: 6 }, (_, caller) => putBatches(caller)));
    expect((await victim.exited).signal).toBe('SIGKILL');
    const deliveredAtKill = target.requests.length;
    expect(acknowledged.size).toBeGreaterThan(EVENTS / 2);
    const missing = (): number => {
      const seen = receivedIds(target!);
      let count = 0;
      for (const id of acknowledged) if (!seen.has(id)) count++;
      return count;
    };
    for (let expected = target.requests.length + 1; missing() > 0; expected = target.requests.length + 1) {
      await target.waitForRequests(expected, 30_000);
    }
    const duplicates = [...receivedIds(target).values()].reduce((sum, n) => sum + n - 1, 0);
    console.log(
      `kill test: ${acknowledged.size} events acknowledged, ${deliveredAtKill} requests at the kill, ` +
        `${target.requests.length} in all, ${duplicates} duplicates, 0 missing`,
    );
    expect(missing()).toBe(0);
    for (const client of clients) client.destroy();
  }, 90_000);
});
