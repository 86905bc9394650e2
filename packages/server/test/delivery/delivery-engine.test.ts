/**
 * The delivery engine end to end on a real server: events put with the AWS SDK reach queue and event-bus
 * targets, read back with the real SQS client; failures end in the dead-letter queue with EventBridge's
 * attributes, or stay visible as failed; leases of a dead worker are taken over; shutdown gives in-flight
 * work back; scheduled rules fire once per tick.
 */
import {
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  CreateEventBusCommand,
} from '@aws-sdk/client-eventbridge';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuswayApp } from '../../src/app.js';
import {
  createDeliveryEngine,
  isDeadOwnerOfThisHost,
  type DeliveryEngine,
  type DeliveryEngineOptions,
  type TargetKind,
} from '../../src/delivery/delivery-engine.js';
import { createScheduler } from '../../src/delivery/scheduler.js';
import { createQueueTarget } from '../../src/delivery/targets/queue-target.js';
import {
  ANY_CREDENTIALS,
  startTestServer,
  TEST_ACCOUNT,
  TEST_REGION,
  type TestServer,
} from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

const QUEUE_ARN = (name: string) => `arn:aws:sqs:${TEST_REGION}:${TEST_ACCOUNT}:${name}`;

let server: TestServer;
let sqs: SQSClient;

async function createQueue(name: string, attributes: Record<string, string> = {}): Promise<string> {
  const out = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  return out.QueueUrl!;
}

/** Long-polls a queue until `count` messages arrived (the server answers as soon as one is there). */
async function receive(queueUrl: string, count: number): Promise<Message[]> {
  const messages: Message[] = [];
  const deadline = Date.now() + 15_000;
  while (messages.length < count && Date.now() < deadline) {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 2,
        MessageAttributeNames: ['All'],
        VisibilityTimeout: 300,
      }),
    );
    messages.push(...(out.Messages ?? []));
  }
  return messages;
}

async function putEvent(detail: object, busName?: string, source = 'shop'): Promise<string> {
  const out = await server.client.send(
    new PutEventsCommand({
      Entries: [
        {
          Source: source,
          DetailType: 'Order',
          Detail: JSON.stringify(detail),
          ...(busName && { EventBusName: busName }),
        },
      ],
    }),
  );
  expect(out.FailedEntryCount).toBe(0);
  return out.Entries![0]!.EventId!;
}

/**
 * A delivery engine of its own over a test server's store and routing (the server's engine stopped or
 * not), standing in for another worker or a restarted process; short drain and retry delays.
 */
function separateEngine(
  app: BuswayApp,
  targetKinds: TargetKind[],
  overrides: Partial<DeliveryEngineOptions> = {},
): DeliveryEngine {
  return createDeliveryEngine({
    store: app.store,
    getTarget: (b, r, t) => app.bus.routing.getTarget(b, r, t),
    targetKinds,
    queues: app.queues,
    ctx: { region: TEST_REGION, accountId: TEST_ACCOUNT },
    concurrency: 4,
    leaseMs: 60_000,
    drainMs: 100,
    backoff: { baseDelayMs: 10, maxDelayMs: 100 },
    ...overrides,
  });
}

function queueKind(app: BuswayApp): TargetKind {
  return {
    name: 'queue',
    matches: (arn) => arn.startsWith('arn:aws:sqs:'),
    invoke: createQueueTarget(app.queues, { region: TEST_REGION, accountId: TEST_ACCOUNT }),
  };
}

beforeAll(async () => {
  server = await startTestServer({ overrides: { retryBaseDelayMs: 20, retryMaxDelayMs: 200 } });
  sqs = new SQSClient({ endpoint: server.url, region: TEST_REGION, credentials: { ...ANY_CREDENTIALS } });
});

afterAll(async () => {
  sqs.destroy();
  await server.close();
});

describe('queue targets', () => {
  it('delivers the transformed event to a queue', async () => {
    const url = await createQueue('orders-in');
    await server.client.send(
      new PutRuleCommand({
        Name: 'to-queue',
        EventPattern: '{"source":["shop"],"detail":{"kind":["queue"]}}',
      }),
    );
    await server.client.send(
      new PutTargetsCommand({
        Rule: 'to-queue',
        Targets: [
          {
            Id: 'q',
            Arn: QUEUE_ARN('orders-in'),
            InputTransformer: {
              InputPathsMap: { total: '$.detail.total' },
              InputTemplate: '{"total": <total>, "rule": "<aws.events.rule-name>"}',
            },
          },
        ],
      }),
    );
    const eventId = await putEvent({ kind: 'queue', total: 42 });
    const [message] = await receive(url, 1);
    expect(JSON.parse(message!.Body!)).toStrictEqual({ total: 42, rule: 'to-queue' });
    const deliveries = await server.app.store.listDeliveries({ eventId }, { limit: 10 });
    expect(deliveries.items).toHaveLength(1);
    const delivery = await waitFor(
      () => server.app.store.getDelivery(deliveries.items[0]!.id),
      (d) => d?.status === 'delivered',
    );
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 1 });
    const attempts = await server.app.store.listAttempts(delivery!.id);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ attempt: 1, outcome: 'success' });
    expect(attempts[0]!.responseExcerpt).toMatch(/^MessageId /);
  });

  it('keeps FIFO group order with SqsParameters.MessageGroupId', async () => {
    const url = await createQueue('ordered.fifo', { FifoQueue: 'true' });
    await server.client.send(
      new PutRuleCommand({ Name: 'to-fifo', EventPattern: '{"detail":{"kind":["fifo"]}}' }),
    );
    await server.client.send(
      new PutTargetsCommand({
        Rule: 'to-fifo',
        Targets: [
          {
            Id: 'f',
            Arn: QUEUE_ARN('ordered.fifo'),
            SqsParameters: { MessageGroupId: 'g1' },
            InputPath: '$.detail.n',
          },
        ],
      }),
    );
    for (let n = 1; n <= 5; n++) await putEvent({ kind: 'fifo', n });
    const messages = await receive(url, 5);
    expect(messages.map((m) => Number(m.Body))).toStrictEqual([1, 2, 3, 4, 5]);
  });
});

describe('event-bus targets', () => {
  it("passes the event on to another bus, where that bus's rules route it", async () => {
    await server.client.send(new CreateEventBusCommand({ Name: 'downstream' }));
    const url = await createQueue('downstream-in');
    await server.client.send(
      new PutRuleCommand({ Name: 'forward', EventPattern: '{"detail":{"kind":["forward"]}}' }),
    );
    await server.client.send(
      new PutTargetsCommand({
        Rule: 'forward',
        Targets: [{ Id: 'bus', Arn: `arn:aws:events:${TEST_REGION}:${TEST_ACCOUNT}:event-bus/downstream` }],
      }),
    );
    await server.client.send(
      new PutRuleCommand({
        Name: 'arrived',
        EventBusName: 'downstream',
        EventPattern: '{"source":["shop"]}',
      }),
    );
    await server.client.send(
      new PutTargetsCommand({
        Rule: 'arrived',
        EventBusName: 'downstream',
        Targets: [{ Id: 'q', Arn: QUEUE_ARN('downstream-in') }],
      }),
    );
    const eventId = await putEvent({ kind: 'forward', n: 7 });
    const [message] = await receive(url, 1);
    const forwarded = JSON.parse(message!.Body!) as Record<string, unknown>;
    expect(forwarded).toMatchObject({
      source: 'shop',
      'detail-type': 'Order',
      detail: { kind: 'forward', n: 7 },
    });
    expect(forwarded['id']).not.toBe(eventId);
  });
});

describe('failures', () => {
  it('dead-letters a delivery that cannot succeed, with the reason in the message attributes', async () => {
    const dlqUrl = await createQueue('failures-dlq');
    await server.client.send(
      new PutRuleCommand({ Name: 'to-nowhere', EventPattern: '{"detail":{"kind":["nowhere"]}}' }),
    );
    await server.client.send(
      new PutTargetsCommand({
        Rule: 'to-nowhere',
        Targets: [
          {
            Id: 'missing',
            Arn: QUEUE_ARN('does-not-exist'),
            Input: '{"fixed":true}',
            DeadLetterConfig: { Arn: QUEUE_ARN('failures-dlq') },
          },
        ],
      }),
    );
    const eventId = await putEvent({ kind: 'nowhere' });
    const [letter] = await receive(dlqUrl, 1);
    // The body is what the target would have received.
    expect(JSON.parse(letter!.Body!)).toStrictEqual({ fixed: true });
    const attributes = Object.fromEntries(
      Object.entries(letter!.MessageAttributes ?? {}).map(([key, value]) => [key, value.StringValue]),
    );
    expect(attributes).toMatchObject({
      ERROR_CODE: 'NO_RESOURCE',
      RULE_ARN: `arn:aws:events:${TEST_REGION}:${TEST_ACCOUNT}:rule/to-nowhere`,
      TARGET_ARN: QUEUE_ARN('does-not-exist'),
      RETRY_ATTEMPTS: '0',
    });
    expect(attributes['ERROR_MESSAGE']).toContain('does-not-exist');
    expect(attributes).not.toHaveProperty('EXHAUSTED_RETRY_CONDITION');
    const [delivery] = (await server.app.store.listDeliveries({ eventId }, { limit: 10 })).items;
    const final = await waitFor(
      () => server.app.store.getDelivery(delivery!.id),
      (d) => d?.status === 'dead-lettered',
    );
    expect(final).toMatchObject({ status: 'dead-lettered', attempts: 1 });
    expect((await server.app.store.listAttempts(delivery!.id))[0]).toMatchObject({
      outcome: 'permanent-failure',
    });
  });

  it('keeps a delivery without a dead-letter queue as failed, with its error', async () => {
    await server.client.send(
      new PutRuleCommand({ Name: 'unsupported', EventPattern: '{"detail":{"kind":["lambda"]}}' }),
    );
    await server.client.send(
      new PutTargetsCommand({
        Rule: 'unsupported',
        Targets: [{ Id: 'fn', Arn: `arn:aws:lambda:${TEST_REGION}:${TEST_ACCOUNT}:function:f` }],
      }),
    );
    const eventId = await putEvent({ kind: 'lambda' });
    const [delivery] = (await server.app.store.listDeliveries({ eventId }, { limit: 10 })).items;
    const final = await waitFor(
      () => server.app.store.getDelivery(delivery!.id),
      (d) => d?.status === 'failed',
    );
    expect(final!.lastError).toContain('cannot deliver to arn:aws:lambda');
    expect(await server.app.store.getEvent(eventId)).toBeDefined();
  });

  it('records a failed delivery when the dead-letter queue itself is missing', async () => {
    await server.client.send(
      new PutRuleCommand({ Name: 'no-dlq', EventPattern: '{"detail":{"kind":["no-dlq"]}}' }),
    );
    await server.client.send(
      new PutTargetsCommand({
        Rule: 'no-dlq',
        Targets: [{ Id: 'x', Arn: QUEUE_ARN('gone'), DeadLetterConfig: { Arn: QUEUE_ARN('gone-dlq') } }],
      }),
    );
    const eventId = await putEvent({ kind: 'no-dlq' });
    const [delivery] = (await server.app.store.listDeliveries({ eventId }, { limit: 10 })).items;
    const final = await waitFor(
      () => server.app.store.getDelivery(delivery!.id),
      (d) => d?.status === 'failed',
    );
    expect(final!.lastError).toContain('the dead-letter queue did not take it');
  });
});

describe('leases and shutdown', () => {
  it('takes over the deliveries of a worker that died holding them, once their lease expires', async () => {
    const own = await startTestServer({ overrides: { deliveryLeaseMs: 1000 } });
    const ownSqs = new SQSClient({
      endpoint: own.url,
      region: TEST_REGION,
      credentials: { ...ANY_CREDENTIALS },
    });
    try {
      const url = (await ownSqs.send(new CreateQueueCommand({ QueueName: 'reclaimed' }))).QueueUrl!;
      await own.client.send(new PutRuleCommand({ Name: 'r', EventPattern: '{"source":["shop"]}' }));
      await own.client.send(
        new PutTargetsCommand({ Rule: 'r', Targets: [{ Id: 'q', Arn: QUEUE_ARN('reclaimed') }] }),
      );
      // Stop the engine, store events, and let a "worker" that then dies take their leases.
      await own.app.delivery.stop();
      await own.client.send(
        new PutEventsCommand({
          Entries: [1, 2, 3].map((n) => ({
            Source: 'shop',
            DetailType: 'Order',
            Detail: JSON.stringify({ n }),
          })),
        }),
      );
      const taken = await own.app.store.claimDueDeliveries('dead-worker', Date.now(), 1000, 10);
      expect(taken).toHaveLength(3);
      const engine = separateEngine(own.app, [queueKind(own.app)], { leaseMs: 1000 });
      engine.start();
      const messages: Message[] = [];
      while (messages.length < 3) {
        const out = await ownSqs.send(
          new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 5 }),
        );
        messages.push(...(out.Messages ?? []));
      }
      expect(
        messages.map((m) => (JSON.parse(m.Body!) as { detail: { n: number } }).detail.n).sort(),
      ).toStrictEqual([1, 2, 3]);
      for (const delivery of taken) {
        const after = await waitFor(
          () => own.app.store.getDelivery(delivery.id),
          (d) => d?.status === 'delivered',
        );
        expect(after).toMatchObject({ status: 'delivered', attempts: 1 });
      }
      await engine.stop();
    } finally {
      ownSqs.destroy();
      await own.close();
    }
  });

  it('takes back at start, without waiting for the lease, the deliveries a crashed process of this host held', async () => {
    const own = await startTestServer();
    try {
      await own.client.send(new PutRuleCommand({ Name: 'r', EventPattern: '{"source":["shop"]}' }));
      await own.client.send(
        new PutTargetsCommand({ Rule: 'r', Targets: [{ Id: 'q', Arn: QUEUE_ARN('taken-back') }] }),
      );
      await own.app.queues.createQueue({ name: 'taken-back' });
      await own.app.delivery.stop();
      await own.client.send(
        new PutEventsCommand({
          Entries: [1, 2, 3].map((n) => ({
            Source: 'shop',
            DetailType: 'Order',
            Detail: JSON.stringify({ n }),
          })),
        }),
      );
      // The pid of a process that has ended; an hour's lease, so only a take-over delivers in time.
      const endedPid = spawnSync(process.execPath, ['-e', '']).pid!;
      const crashed = `${hostname()}/${endedPid}/0badc0de`;
      const alive = `${hostname()}/${process.ppid}/0a11ce00`;
      const otherHost = `another-host/${endedPid}/0badc0de`;
      const [lost] = await own.app.store.claimDueDeliveries(crashed, Date.now(), 3_600_000, 1);
      const [held] = await own.app.store.claimDueDeliveries(alive, Date.now(), 3_600_000, 1);
      const [remote] = await own.app.store.claimDueDeliveries(otherHost, Date.now(), 3_600_000, 1);
      const engine = separateEngine(own.app, [queueKind(own.app)], { leaseMs: 3_600_000 });
      engine.start();
      try {
        const delivered = await waitFor(
          () => own.app.store.getDelivery(lost!.id),
          (d) => d?.status === 'delivered',
          { what: "the crashed process's delivery" },
        );
        expect(delivered).toMatchObject({ status: 'delivered', attempts: 1 });
        // A live process of this host and any process of another host keep their leases.
        expect(await own.app.store.getDelivery(held!.id)).toMatchObject({
          status: 'in-flight',
          leaseOwner: alive,
        });
        expect(await own.app.store.getDelivery(remote!.id)).toMatchObject({
          status: 'in-flight',
          leaseOwner: otherHost,
        });
      } finally {
        await engine.stop();
      }
    } finally {
      await own.close();
    }
  });

  it('judges a lease owner dead only when it names this host and a process that is gone', async () => {
    const endedPid = spawnSync(process.execPath, ['-e', '']).pid!;
    expect(isDeadOwnerOfThisHost(`h/${endedPid}/0badc0de`, 'h')).toBe(true);
    expect(isDeadOwnerOfThisHost(`h/${endedPid}/0badc0de`, 'other')).toBe(false);
    expect(isDeadOwnerOfThisHost(`h/${process.ppid}/0badc0de`, 'h')).toBe(false);
    // Our own pid, but no engine of this process has that name: a predecessor (PID 1 in a container).
    expect(isDeadOwnerOfThisHost(`h/${process.pid}/0badc0de`, 'h')).toBe(true);
    expect(isDeadOwnerOfThisHost(`${hostname()}/${process.pid}/0badc0de`)).toBe(true);
    expect(isDeadOwnerOfThisHost(server.app.delivery.owner)).toBe(false);
    expect(isDeadOwnerOfThisHost('dead-worker')).toBe(false);
  });

  it('gives in-flight deliveries back on shutdown when they cannot finish in time', async () => {
    const own = await startTestServer();
    try {
      await own.app.delivery.stop();
      await own.client.send(new PutRuleCommand({ Name: 'r', EventPattern: '{"source":["shop"]}' }));
      await own.client.send(
        new PutTargetsCommand({ Rule: 'r', Targets: [{ Id: 'q', Arn: QUEUE_ARN('x') }] }),
      );
      let started!: () => void;
      const invoked = new Promise<void>((resolve) => (started = resolve));
      const engine = separateEngine(
        own.app,
        // A target that only ends when the attempt is aborted: an endpoint that hangs.
        [
          {
            name: 'hanging',
            matches: () => true,
            invoke: ({ signal }) =>
              new Promise((_resolve, reject) => {
                started();
                signal.addEventListener('abort', () => reject(new Error('aborted')));
              }),
          },
        ],
        { leaseMs: 60_000, drainMs: 50 },
      );
      engine.start();
      const out = await own.client.send(
        new PutEventsCommand({ Entries: [{ Source: 'shop', DetailType: 'Order', Detail: '{"n":2}' }] }),
      );
      engine.wake();
      await invoked;
      await engine.stop();
      const [delivery] = (
        await own.app.store.listDeliveries({ eventId: out.Entries![0]!.EventId! }, { limit: 1 })
      ).items;
      expect(delivery).toMatchObject({ status: 'pending', attempts: 0 });
      expect(await own.app.store.listAttempts(delivery!.id)).toStrictEqual([]);
    } finally {
      await own.close();
    }
  });
});

describe('scheduled rules', () => {
  it('fires a Scheduled Event on each tick, once even with two schedulers', async () => {
    const url = await createQueue('ticks');
    const created = await server.client.send(
      new PutRuleCommand({ Name: 'every-minute', ScheduleExpression: 'rate(1 minute)' }),
    );
    await server.client.send(
      new PutTargetsCommand({ Rule: 'every-minute', Targets: [{ Id: 'q', Arn: QUEUE_ARN('ticks') }] }),
    );
    const rule = await server.app.store.getRule('default', 'every-minute');
    const tick = rule!.createdAt + 60_000;
    const other = createScheduler({
      store: server.app.store,
      routing: server.app.bus.routing,
      ctx: { region: TEST_REGION, accountId: TEST_ACCOUNT },
    });
    expect(await server.app.scheduler.runDue(tick - 1)).toStrictEqual([]);
    expect(await server.app.scheduler.runDue(tick + 5)).toStrictEqual([created.RuleArn]);
    expect(await other.runDue(tick + 10)).toStrictEqual([]);
    expect(await server.app.scheduler.runDue(tick + 20)).toStrictEqual([]);
    const [message] = await receive(url, 1);
    const event = JSON.parse(message!.Body!) as Record<string, unknown>;
    expect(event).toMatchObject({
      source: 'aws.events',
      'detail-type': 'Scheduled Event',
      resources: [created.RuleArn],
      detail: {},
      time: new Date(tick).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    });
    // The next tick fires again.
    expect(await other.runDue(tick + 60_000 + 5)).toStrictEqual([created.RuleArn]);
    await receive(url, 1);
  });
});
