/**
 * Two Busway apps in this process on one PostgreSQL schema (two nodes, driven where child processes
 * cannot be: the scheduler's clock): a scheduled rule fires once per tick across the cluster, and a rule
 * created on one node reaches the other's scheduler and matcher without a restart. Skips without
 * BUSWAY_TEST_DATABASE_URL.
 */
import { PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  connectAdmin,
  dropSchema,
  SKIP_REASON,
  TEST_DATABASE_URL,
  testSchemaName,
} from '../support/postgres.js';
import {
  ANY_CREDENTIALS,
  createTempDir,
  removeDir,
  startTestServer,
  TEST_REGION,
  type TestServer,
} from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

const SUITE =
  TEST_DATABASE_URL === undefined
    ? `two apps on one PostgreSQL schema: ${SKIP_REASON}`
    : 'two apps on one PostgreSQL schema';

describe.skipIf(TEST_DATABASE_URL === undefined)(SUITE, () => {
  const url = TEST_DATABASE_URL ?? '';
  const schema = testSchemaName('cluster.postgres.test.ts', 'two apps');
  const dataDir = createTempDir('busway-pg-cluster-');
  let admin: pg.Client;
  let nodes: TestServer[] = [];
  let sqs: SQSClient;

  beforeAll(async () => {
    admin = await connectAdmin(url);
    await dropSchema(admin, schema);
    // One data dir: the nodes share the key that seals connection secrets, as a cluster must.
    const overrides = { databaseUrl: url, databaseSchema: schema, configSyncIntervalMs: 200 };
    nodes = [await startTestServer({ dataDir, overrides }), await startTestServer({ dataDir, overrides })];
    sqs = new SQSClient({
      endpoint: nodes[0]!.url,
      region: TEST_REGION,
      credentials: { ...ANY_CREDENTIALS },
      maxAttempts: 1,
    });
  }, 30_000);

  afterAll(async () => {
    sqs?.destroy();
    for (const node of nodes) await node.close();
    removeDir(dataDir);
    await dropSchema(admin, schema);
    await admin.end();
  });

  it('fires a scheduled rule once per tick although both nodes run its scheduler', async () => {
    const [a, b] = nodes as [TestServer, TestServer];
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'ticks' }));
    const { RuleArn } = await a.client.send(
      new PutRuleCommand({ Name: 'every-minute', ScheduleExpression: 'rate(1 minute)' }),
    );
    await a.client.send(
      new PutTargetsCommand({
        Rule: 'every-minute',
        Targets: [{ Id: 'q', Arn: 'arn:aws:sqs:us-east-1:000000000000:ticks' }],
      }),
    );
    // Created on A: B's scheduler knows the rule, with its target, once its config sync has run.
    await waitFor(
      async () => b.app.bus.routing.scheduledRules().map((route) => route.targets.length),
      (targets) => targets.length === 1 && targets[0] === 1,
      { what: "the scheduled rule on B's routing table" },
    );
    const rule = await a.app.store.getRule('default', 'every-minute');
    const firstTick = rule!.createdAt + 60_000;
    for (const tick of [firstTick, firstTick + 60_000]) {
      // Both nodes see the tick come at once (a little after it, as their schedulers would).
      const fired = await Promise.all([a.app.scheduler.runDue(tick + 5), b.app.scheduler.runDue(tick + 7)]);
      expect(fired.flat()).toStrictEqual([RuleArn]);
      // Seen again later by either node: already fired.
      expect(await b.app.scheduler.runDue(tick + 500)).toStrictEqual([]);
    }
    const events = await admin.query<{ envelope: string }>(`SELECT envelope FROM "${schema}".events`);
    const scheduled = events.rows
      .map((row) => JSON.parse(row.envelope) as { 'detail-type': string; time: string })
      .filter((envelope) => envelope['detail-type'] === 'Scheduled Event');
    // The envelope's time is the tick's, to the second (as EventBridge writes it).
    const second = (ms: number) => Math.floor(ms / 1000) * 1000;
    expect(scheduled.map((envelope) => Date.parse(envelope.time))).toStrictEqual([
      second(firstTick),
      second(firstTick + 60_000),
    ]);
    // One message per tick reaches the queue target, whichever node delivered it.
    await waitFor(
      async () =>
        (
          await sqs.send(
            new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
          )
        ).Attributes?.['ApproximateNumberOfMessages'],
      (count) => count === '2',
      { what: 'two scheduled events in the queue' },
    );
  });

  it('routes an event put on B by a rule created on A, without a restart', async () => {
    const [a, b] = nodes as [TestServer, TestServer];
    await sqs.send(new CreateQueueCommand({ QueueName: 'orders' }));
    await a.client.send(new PutRuleCommand({ Name: 'orders', EventPattern: '{"source":["shop"]}' }));
    await a.client.send(
      new PutTargetsCommand({
        Rule: 'orders',
        Targets: [{ Id: 'q', Arn: 'arn:aws:sqs:us-east-1:000000000000:orders' }],
      }),
    );
    const started = Date.now();
    // Each probe is an event put on B; its deliveries are written with it, so a probe with one was routed.
    const routed = await waitFor(
      async () => {
        const out = await b.client.send(
          new PutEventsCommand({ Entries: [{ Source: 'shop', DetailType: 'probe', Detail: '{}' }] }),
        );
        const id = out.Entries?.[0]?.EventId ?? '';
        return (await b.app.store.listDeliveries({ eventId: id }, { limit: 10 })).items.length;
      },
      (count) => count === 1,
      { what: 'an event on B matched by the rule made on A', intervalMs: 20 },
    );
    console.log(`rule created on A matched on B after ${Date.now() - started} ms`);
    expect(routed).toBe(1);
  });
});
