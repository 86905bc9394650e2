/**
 * The real `busway serve --database-url postgres://...` (child processes), two of them on one schema as
 * two nodes, driven by the AWS SDK: PutEvents on either node is stored in PostgreSQL, a queue created on
 * one node is used from the other, and a FIFO queue keeps its group's order while consumers alternate
 * between the nodes. Skips without BUSWAY_TEST_DATABASE_URL.
 */
import { DescribeEventBusCommand, PutEventsCommand } from '@aws-sdk/client-eventbridge';
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
});
