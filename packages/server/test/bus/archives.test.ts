/**
 * Archives and replays end to end on a real server with the AWS SDK v3: an archive keeps the events of
 * its pattern (and only those), a replay of a time window reaches a rule on `replay-name` with the
 * original event, FilterArns limit the rules, a slow replay can be cancelled mid-way, and retention
 * prunes with a moved clock. Replayed events are read back from real queue targets.
 */
import {
  CancelReplayCommand,
  CreateArchiveCommand,
  CreateEventBusCommand,
  DeleteArchiveCommand,
  DescribeArchiveCommand,
  DescribeReplayCommand,
  ListArchivesCommand,
  ListReplaysCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  StartReplayCommand,
  UpdateArchiveCommand,
} from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ANY_CREDENTIALS,
  startTestServer,
  TEST_ACCOUNT,
  TEST_REGION,
  type TestServer,
} from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

const BUS_ARN = (bus: string) => `arn:aws:events:${TEST_REGION}:${TEST_ACCOUNT}:event-bus/${bus}`;
const QUEUE_ARN = (name: string) => `arn:aws:sqs:${TEST_REGION}:${TEST_ACCOUNT}:${name}`;

let server: TestServer;
let sqs: SQSClient;

beforeAll(async () => {
  server = await startTestServer({ overrides: { replayRatePerSecond: 1000 } });
  sqs = new SQSClient({
    endpoint: server.url,
    region: TEST_REGION,
    credentials: { ...ANY_CREDENTIALS },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  sqs.destroy();
  await server.close();
});

async function createQueue(name: string): Promise<string> {
  return (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;
}

async function receive(queueUrl: string, count: number): Promise<Message[]> {
  const messages: Message[] = [];
  const deadline = Date.now() + 15_000;
  while (messages.length < count && Date.now() < deadline) {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        VisibilityTimeout: 300,
      }),
    );
    messages.push(...(out.Messages ?? []));
  }
  return messages;
}

/** A bus with a rule on replays only (`replay-name` exists) and one on live events, each to a queue. */
async function busWithRules(bus: string): Promise<{ replays: string; live: string; other: string }> {
  await server.client.send(new CreateEventBusCommand({ Name: bus }));
  const replays = await createQueue(`${bus}-replays`);
  const live = await createQueue(`${bus}-live`);
  const other = await createQueue(`${bus}-other`);
  const rules: Array<[string, object, string]> = [
    ['replays', { source: ['shop'], 'replay-name': [{ exists: true }] }, `${bus}-replays`],
    ['live', { source: ['shop'], 'replay-name': [{ exists: false }] }, `${bus}-live`],
    ['other-replays', { 'replay-name': [{ exists: true }] }, `${bus}-other`],
  ];
  for (const [name, pattern, queue] of rules) {
    await server.client.send(
      new PutRuleCommand({ Name: name, EventBusName: bus, EventPattern: JSON.stringify(pattern) }),
    );
    await server.client.send(
      new PutTargetsCommand({ Rule: name, EventBusName: bus, Targets: [{ Id: 'q', Arn: QUEUE_ARN(queue) }] }),
    );
  }
  return { replays, live, other };
}

async function put(
  bus: string,
  entries: Array<{ source: string; detail: object; time?: Date }>,
): Promise<string[]> {
  const out = await server.client.send(
    new PutEventsCommand({
      Entries: entries.map((entry) => ({
        EventBusName: bus,
        Source: entry.source,
        DetailType: 'Order',
        Detail: JSON.stringify(entry.detail),
        ...(entry.time !== undefined && { Time: entry.time }),
      })),
    }),
  );
  expect(out.FailedEntryCount).toBe(0);
  return out.Entries!.map((entry) => entry.EventId!);
}

async function waitForReplay(name: string, states: string[]) {
  return waitFor(
    () => server.client.send(new DescribeReplayCommand({ ReplayName: name })),
    (out) => states.includes(out.State ?? ''),
    { what: `replay ${name} in ${states.join('/')}`, timeoutMs: 20_000 },
  );
}

describe('archives', () => {
  it('archives the events of its pattern only, and reports count and size', async () => {
    await server.client.send(new CreateEventBusCommand({ Name: 'archived' }));
    const created = await server.client.send(
      new CreateArchiveCommand({
        ArchiveName: 'shop-orders',
        EventSourceArn: BUS_ARN('archived'),
        EventPattern: JSON.stringify({ source: ['shop'] }),
        Description: 'orders',
        RetentionDays: 7,
      }),
    );
    expect(created.ArchiveArn).toBe(`arn:aws:events:${TEST_REGION}:${TEST_ACCOUNT}:archive/shop-orders`);
    expect(created.State).toBe('ENABLED');
    await put('archived', [
      { source: 'shop', detail: { n: 1 } },
      { source: 'billing', detail: { n: 2 } },
      { source: 'shop', detail: { n: 3 } },
    ]);
    const described = await server.client.send(new DescribeArchiveCommand({ ArchiveName: 'shop-orders' }));
    expect(described).toMatchObject({
      ArchiveName: 'shop-orders',
      EventSourceArn: BUS_ARN('archived'),
      EventPattern: JSON.stringify({ source: ['shop'] }),
      RetentionDays: 7,
      State: 'ENABLED',
      EventCount: 2,
      Description: 'orders',
    });
    expect(described.SizeBytes).toBeGreaterThan(200);

    const listed = await server.client.send(new ListArchivesCommand({ EventSourceArn: BUS_ARN('archived') }));
    expect(listed.Archives?.map((a) => [a.ArchiveName, a.EventCount])).toEqual([['shop-orders', 2]]);

    await server.client.send(
      new UpdateArchiveCommand({ ArchiveName: 'shop-orders', EventPattern: '{"source":["billing"]}' }),
    );
    await put('archived', [
      { source: 'billing', detail: { n: 4 } },
      { source: 'shop', detail: { n: 5 } },
    ]);
    expect(
      (await server.client.send(new DescribeArchiveCommand({ ArchiveName: 'shop-orders' }))).EventCount,
    ).toBe(3);
  });

  it("answers AWS's errors for unknown buses and archives, duplicates and empty updates", async () => {
    const fail = async (promise: Promise<unknown>) =>
      promise.then(
        () => undefined,
        (error: Error) => error,
      );
    expect(
      await fail(
        server.client.send(new CreateArchiveCommand({ ArchiveName: 'a', EventSourceArn: BUS_ARN('nope') })),
      ),
    ).toMatchObject({ name: 'ResourceNotFoundException', message: 'Event bus nope does not exist.' });
    await server.client.send(
      new CreateArchiveCommand({ ArchiveName: 'dup', EventSourceArn: BUS_ARN('default') }),
    );
    expect(
      await fail(
        server.client.send(
          new CreateArchiveCommand({ ArchiveName: 'dup', EventSourceArn: BUS_ARN('default') }),
        ),
      ),
    ).toMatchObject({ name: 'ResourceAlreadyExistsException', message: 'Archive dup already exists.' });
    expect(
      await fail(server.client.send(new DescribeArchiveCommand({ ArchiveName: 'missing' }))),
    ).toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Archive missing does not exist.',
    });
    expect(await fail(server.client.send(new UpdateArchiveCommand({ ArchiveName: 'dup' })))).toMatchObject({
      name: 'ValidationException',
      message: 'At least one of EventPattern, RetentionDays or Description must be provided.',
    });
    expect(
      await fail(
        server.client.send(
          new CreateArchiveCommand({
            ArchiveName: 'bad',
            EventSourceArn: BUS_ARN('default'),
            EventPattern: '{"a":1}',
          }),
        ),
      ),
    ).toMatchObject({ name: 'InvalidEventPatternException' });
    expect(
      await fail(
        server.client.send(
          new CreateArchiveCommand({ ArchiveName: 'has space', EventSourceArn: BUS_ARN('default') }),
        ),
      ),
    ).toMatchObject({ name: 'ValidationException' });
    await server.client.send(new DeleteArchiveCommand({ ArchiveName: 'dup' }));
    expect(await fail(server.client.send(new DeleteArchiveCommand({ ArchiveName: 'dup' })))).toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Archive dup does not exist.',
    });
  });

  it('prunes events older than the retention when the clock has moved on', async () => {
    await server.client.send(new CreateEventBusCommand({ Name: 'retained' }));
    await server.client.send(
      new CreateArchiveCommand({
        ArchiveName: 'two-days',
        EventSourceArn: BUS_ARN('retained'),
        RetentionDays: 2,
      }),
    );
    await server.client.send(
      new CreateArchiveCommand({
        ArchiveName: 'forever',
        EventSourceArn: BUS_ARN('retained'),
        RetentionDays: 0,
      }),
    );
    const day = 86_400_000;
    const now = Date.now();
    await put('retained', [
      { source: 'a', detail: {}, time: new Date(now - 3 * day) },
      { source: 'b', detail: {}, time: new Date(now - day) },
      { source: 'c', detail: {} },
    ]);
    expect(await server.app.archives.pruneArchives(now)).toBe(1);
    expect(
      (await server.client.send(new DescribeArchiveCommand({ ArchiveName: 'two-days' }))).EventCount,
    ).toBe(2);
    // Two days later, only the event put "now" is within two days.
    expect(await server.app.archives.pruneArchives(now + 2 * day - 60_000)).toBe(1);
    expect(
      (await server.client.send(new DescribeArchiveCommand({ ArchiveName: 'two-days' }))).EventCount,
    ).toBe(1);
    expect(
      (await server.client.send(new DescribeArchiveCommand({ ArchiveName: 'forever' }))).EventCount,
    ).toBe(3);
  });
});

describe('replays', () => {
  it('replays a time window to the rules, with replay-name, the original event and a new id; never re-archived', async () => {
    const queues = await busWithRules('replayed');
    await server.client.send(
      new CreateArchiveCommand({ ArchiveName: 'replayed-all', EventSourceArn: BUS_ARN('replayed') }),
    );
    const base = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
    const ids = await put('replayed', [
      { source: 'shop', detail: { n: 1 }, time: new Date(base) },
      { source: 'shop', detail: { n: 2 }, time: new Date(base + 60_000) },
      { source: 'shop', detail: { n: 3 }, time: new Date(base + 120_000) },
      { source: 'shop', detail: { n: 4 }, time: new Date(base + 600_000) },
    ]);
    expect(await receive(queues.live, 4)).toHaveLength(4);

    const started = await server.client.send(
      new StartReplayCommand({
        ReplayName: 'window',
        EventSourceArn: `arn:aws:events:${TEST_REGION}:${TEST_ACCOUNT}:archive/replayed-all`,
        EventStartTime: new Date(base),
        EventEndTime: new Date(base + 120_000),
        Destination: { Arn: BUS_ARN('replayed') },
      }),
    );
    expect(started.State).toBe('STARTING');
    expect(started.ReplayArn).toBe(`arn:aws:events:${TEST_REGION}:${TEST_ACCOUNT}:replay/window`);
    const done = await waitForReplay('window', ['COMPLETED']);
    expect(done.EventLastReplayedTime?.getTime()).toBe(base + 120_000);
    expect(done.ReplayEndTime).toBeInstanceOf(Date);

    const replayed = await receive(queues.replays, 3);
    const bodies = replayed.map((m) => JSON.parse(m.Body!) as Record<string, unknown>);
    expect(bodies.map((b) => (b['detail'] as { n: number }).n).sort()).toEqual([1, 2, 3]);
    for (const body of bodies) {
      expect(Object.keys(body)).toEqual([
        'version',
        'id',
        'detail-type',
        'source',
        'account',
        'time',
        'region',
        'replay-name',
        'resources',
        'detail',
      ]);
      expect(body['replay-name']).toBe('window');
      expect(ids).not.toContain(body['id']);
    }
    expect(await receive(queues.other, 3)).toHaveLength(3);
    // Replays do not go to the live rule, and are not archived again.
    expect(
      (await server.client.send(new DescribeArchiveCommand({ ArchiveName: 'replayed-all' }))).EventCount,
    ).toBe(4);
    const listed = await server.client.send(new ListReplaysCommand({ NamePrefix: 'win' }));
    expect(listed.Replays?.map((r) => [r.ReplayName, r.State])).toEqual([['window', 'COMPLETED']]);
  });

  it('limits a replay to the rules named in FilterArns', async () => {
    const queues = await busWithRules('filtered');
    await server.client.send(
      new CreateArchiveCommand({ ArchiveName: 'filtered-all', EventSourceArn: BUS_ARN('filtered') }),
    );
    const base = Math.floor(Date.now() / 1000) * 1000 - 60_000;
    await put('filtered', [
      { source: 'shop', detail: { n: 1 }, time: new Date(base) },
      { source: 'shop', detail: { n: 2 }, time: new Date(base) },
    ]);
    await server.client.send(
      new StartReplayCommand({
        ReplayName: 'only-other',
        EventSourceArn: `arn:aws:events:${TEST_REGION}:${TEST_ACCOUNT}:archive/filtered-all`,
        EventStartTime: new Date(base - 1000),
        EventEndTime: new Date(base + 1000),
        Destination: {
          Arn: BUS_ARN('filtered'),
          FilterArns: [`arn:aws:events:${TEST_REGION}:${TEST_ACCOUNT}:rule/filtered/other-replays`],
        },
      }),
    );
    await waitForReplay('only-other', ['COMPLETED']);
    expect(await receive(queues.other, 2)).toHaveLength(2);
    // Everything for the replay was written with the events; nothing reached the unnamed rule.
    const unnamed = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queues.replays, MaxNumberOfMessages: 10 }),
    );
    expect(unnamed.Messages ?? []).toHaveLength(0);
  });

  it("answers AWS's errors for bad windows, other buses, unknown archives and names", async () => {
    await server.client.send(new CreateEventBusCommand({ Name: 'errors-a' }));
    await server.client.send(new CreateEventBusCommand({ Name: 'errors-b' }));
    await server.client.send(
      new CreateArchiveCommand({ ArchiveName: 'errors-a', EventSourceArn: BUS_ARN('errors-a') }),
    );
    const archiveArn = `arn:aws:events:${TEST_REGION}:${TEST_ACCOUNT}:archive/errors-a`;
    const start = (fields: Partial<ConstructorParameters<typeof StartReplayCommand>[0]>) =>
      server.client
        .send(
          new StartReplayCommand({
            ReplayName: 'r',
            EventSourceArn: archiveArn,
            EventStartTime: new Date(1000),
            EventEndTime: new Date(2000),
            Destination: { Arn: BUS_ARN('errors-a') },
            ...fields,
          }),
        )
        .then(
          () => undefined,
          (error: Error) => error,
        );
    expect(await start({ EventEndTime: new Date(1000) })).toMatchObject({
      name: 'ValidationException',
      message: 'Parameter EventEndTime is not valid. Reason: EventStartTime must be before EventEndTime.',
    });
    expect(await start({ Destination: { Arn: BUS_ARN('errors-b') } })).toMatchObject({
      name: 'ValidationException',
      message: 'Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.',
    });
    expect(await start({ Destination: { Arn: BUS_ARN('errors-none') } })).toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Event bus errors-none does not exist.',
    });
    expect(await start({ EventSourceArn: `${archiveArn}-nope` })).toMatchObject({
      name: 'ValidationException',
      message: 'Parameter EventSourceArn is not valid. Reason: Archive errors-a-nope does not exist.',
    });
    expect(await start({})).toBeUndefined();
    expect(await start({})).toMatchObject({
      name: 'ResourceAlreadyExistsException',
      message: 'Replay r already exists.',
    });
    await waitForReplay('r', ['COMPLETED']);
    const cancel = await server.client.send(new CancelReplayCommand({ ReplayName: 'r' })).then(
      () => undefined,
      (error: Error) => error,
    );
    expect(cancel).toMatchObject({ name: 'IllegalStatusException' });
    const missing = await server.client.send(new DescribeReplayCommand({ ReplayName: 'missing' })).then(
      () => undefined,
      (error: Error) => error,
    );
    expect(missing).toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Replay missing does not exist.',
    });
  });
});

describe('a slow replay', () => {
  let slow: TestServer;
  beforeAll(async () => {
    slow = await startTestServer({ overrides: { replayRatePerSecond: 20 } });
  });
  afterAll(async () => {
    await slow.close();
  });

  it('can be cancelled mid-way, and keeps its progress', async () => {
    await slow.client.send(new CreateEventBusCommand({ Name: 'big' }));
    await slow.client.send(new CreateArchiveCommand({ ArchiveName: 'big', EventSourceArn: BUS_ARN('big') }));
    const base = Math.floor(Date.now() / 1000) * 1000 - 600_000;
    for (let i = 0; i < 20; i++) {
      await slow.client.send(
        new PutEventsCommand({
          Entries: Array.from({ length: 10 }, (_, j) => ({
            EventBusName: 'big',
            Source: 'shop',
            DetailType: 'Order',
            Detail: JSON.stringify({ n: i * 10 + j }),
            Time: new Date(base + (i * 10 + j) * 1000),
          })),
        }),
      );
    }
    await slow.client.send(
      new StartReplayCommand({
        ReplayName: 'cancelled',
        EventSourceArn: `arn:aws:events:${TEST_REGION}:${TEST_ACCOUNT}:archive/big`,
        EventStartTime: new Date(base),
        EventEndTime: new Date(base + 1_000_000),
        Destination: { Arn: BUS_ARN('big') },
      }),
    );
    await waitFor(
      () => slow.client.send(new DescribeReplayCommand({ ReplayName: 'cancelled' })),
      (out) => out.State === 'RUNNING' && out.EventLastReplayedTime !== undefined,
      { what: 'the replay under way' },
    );
    const cancelling = await slow.client.send(new CancelReplayCommand({ ReplayName: 'cancelled' }));
    expect(cancelling.State).toBe('CANCELLING');
    const ended = await waitFor(
      () => slow.client.send(new DescribeReplayCommand({ ReplayName: 'cancelled' })),
      (out) => out.State === 'CANCELLED',
      { what: 'the cancel' },
    );
    const last = ended.EventLastReplayedTime!.getTime();
    expect(last).toBeGreaterThanOrEqual(base);
    expect(last).toBeLessThan(base + 199_000);
    const progress = await slow.app.store.getReplay('cancelled');
    expect(progress?.eventsReplayed).toBeLessThan(200);
    expect(progress?.eventsTotal).toBe(200);
  });
});
