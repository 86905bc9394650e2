/**
 * @aws-sdk/client-sqs against a real Busway server (real socket, real SQLite file): every operation of
 * the queue API, the SDK's own checks included (it verifies the MD5 of every body and attribute set it
 * sends and receives), long polling, visibility, FIFO ordering per group, deduplication, batches,
 * errors by name, and SigV4 with a configured key.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  ListQueueTagsCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
  TagQueueCommand,
  UntagQueueCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ANY_CREDENTIALS,
  startTestServer,
  TEST_ACCOUNT,
  TEST_REGION,
  type TestServer,
} from '../support/server.js';

const KEY = {
  accessKeyId: 'AKIDBUSWAYSQSTEST',
  secretAccessKey: 'sqs-e2e-secret-abcdefghijklmnopqrstuvwxyz0',
};

let server: TestServer;
let sqs: SQSClient;
const clients: SQSClient[] = [];

function createSqsClient(
  url: string,
  credentials: { accessKeyId: string; secretAccessKey: string } = ANY_CREDENTIALS,
): SQSClient {
  const client = new SQSClient({
    endpoint: url,
    region: TEST_REGION,
    credentials: { ...credentials },
    maxAttempts: 1,
  });
  clients.push(client);
  return client;
}

beforeAll(async () => {
  server = await startTestServer({ overrides: KEY, credentials: KEY });
  sqs = createSqsClient(server.url, KEY);
});

afterAll(async () => {
  for (const client of clients) client.destroy();
  await server?.close();
});

async function rejection(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

async function createQueue(name: string, attributes: Record<string, string> = {}): Promise<string> {
  const created = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  return created.QueueUrl!;
}

async function receive(
  queueUrl: string,
  options: { max?: number; wait?: number; visibility?: number } = {},
): Promise<Message[]> {
  const received = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: options.max ?? 10,
      WaitTimeSeconds: options.wait ?? 0,
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
      ...(options.visibility !== undefined && { VisibilityTimeout: options.visibility }),
    }),
  );
  return received.Messages ?? [];
}

describe('queues', () => {
  it('creates, finds, lists, describes, tags and deletes a queue', async () => {
    const url = await createQueue('sdk-orders', { VisibilityTimeout: '45' });
    const host = new URL(server.url).host;
    expect(url).toBe(`http://${host}/${TEST_ACCOUNT}/sdk-orders`);
    // Same name, same attributes: the same queue.
    expect(await createQueue('sdk-orders', { VisibilityTimeout: '45' })).toBe(url);
    const conflict = await rejection(createQueue('sdk-orders', { VisibilityTimeout: '46' }));
    expect(conflict.name).toBe('QueueNameExists');

    expect((await sqs.send(new GetQueueUrlCommand({ QueueName: 'sdk-orders' }))).QueueUrl).toBe(url);
    await createQueue('sdk-other');
    const listed = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'sdk-o' }));
    expect(listed.QueueUrls).toEqual(
      expect.arrayContaining([url, `http://${host}/${TEST_ACCOUNT}/sdk-other`]),
    );

    const attributes = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }),
    );
    expect(attributes.Attributes).toMatchObject({
      QueueArn: `arn:aws:sqs:${TEST_REGION}:${TEST_ACCOUNT}:sdk-orders`,
      VisibilityTimeout: '45',
      ApproximateNumberOfMessages: '0',
    });
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { DelaySeconds: '1' } }));
    const delay = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['DelaySeconds'] }),
    );
    expect(delay.Attributes).toEqual({ DelaySeconds: '1' });

    await sqs.send(new TagQueueCommand({ QueueUrl: url, Tags: { team: 'blue', env: 'test' } }));
    await sqs.send(new UntagQueueCommand({ QueueUrl: url, TagKeys: ['env'] }));
    expect((await sqs.send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags).toEqual({ team: 'blue' });

    await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
    const gone = await rejection(sqs.send(new GetQueueUrlCommand({ QueueName: 'sdk-orders' })));
    expect(gone.name).toBe('QueueDoesNotExist');
    expect(gone.Code).toBe('AWS.SimpleQueueService.NonExistentQueue');
    const sendToGone = await rejection(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' })));
    expect(sendToGone.name).toBe('QueueDoesNotExist');
  });
});

describe('messages', () => {
  it('sends, receives and deletes, with message attributes and system attributes', async () => {
    const url = await createQueue('sdk-messages');
    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: 'hello, <queue> & "world"\r\n',
        MessageAttributes: {
          city: { DataType: 'String', StringValue: 'Zürich' },
          count: { DataType: 'Number', StringValue: '42' },
          raw: { DataType: 'Binary', BinaryValue: new Uint8Array([0, 1, 2, 255]) },
        },
      }),
    );
    expect(sent.MessageId).toMatch(/\S/);
    expect(sent.MD5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);

    const [message, ...rest] = await receive(url);
    expect(rest).toEqual([]);
    expect(message).toMatchObject({
      MessageId: sent.MessageId,
      Body: 'hello, <queue> & "world"\r\n',
      MD5OfBody: sent.MD5OfMessageBody,
      MD5OfMessageAttributes: sent.MD5OfMessageAttributes,
      MessageAttributes: {
        city: { DataType: 'String', StringValue: 'Zürich' },
        count: { DataType: 'Number', StringValue: '42' },
        raw: { DataType: 'Binary', BinaryValue: new Uint8Array([0, 1, 2, 255]) },
      },
    });
    expect(message?.Attributes?.ApproximateReceiveCount).toBe('1');
    expect(Number(message?.Attributes?.SentTimestamp)).toBeGreaterThan(0);

    // In flight: not received again until deleted or expired.
    expect(await receive(url)).toEqual([]);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message!.ReceiptHandle! }));
    const attributes = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    expect(attributes.Attributes).toEqual({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
    });

    const invalid = await rejection(
      sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: 'garbage' })),
    );
    expect(invalid.name).toBe('ReceiptHandleIsInvalid');
  });

  it('digests message attributes as SQS does, over the attributes returned', async () => {
    // Digests recorded from AWS for body "msg" with these attributes (LocalStack's SQS snapshots).
    const url = await createQueue('sdk-digests');
    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: 'msg',
        MessageAttributes: {
          General: { DataType: 'String', StringValue: 'Kenobi' },
          Hello: { DataType: 'String', StringValue: 'There' },
          'Help.Me': { DataType: 'String', StringValue: 'Me' },
        },
      }),
    );
    expect(sent.MD5OfMessageBody).toBe('6e2baaf3b97dbeef01c0043275f9a0e7');
    expect(sent.MD5OfMessageAttributes).toBe('4c360f3fdafd970e05fae2f149d997f5');
    const received = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MessageAttributeNames: ['General', 'Hello', 'Absent'] }),
    );
    expect(received.Messages?.[0]).toMatchObject({
      MD5OfBody: '6e2baaf3b97dbeef01c0043275f9a0e7',
      MD5OfMessageAttributes: 'fca026605781cb4126a1e9044df24232',
      MessageAttributes: {
        General: { DataType: 'String', StringValue: 'Kenobi' },
        Hello: { DataType: 'String', StringValue: 'There' },
      },
    });
  });

  it('answers a long poll as soon as a message is sent', { timeout: 15_000 }, async () => {
    const url = await createQueue('sdk-long-poll');
    // WaitTimeSeconds 20 is longer than this test's timeout: only an early answer passes.
    const polling = receive(url, { wait: 20 });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'wake up' }));
    const messages = await polling;
    expect(messages.map((m) => m.Body)).toEqual(['wake up']);
  });

  it('makes a message visible again when its visibility timeout expires', { timeout: 15_000 }, async () => {
    const url = await createQueue('sdk-visibility');
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'again' }));
    const [first] = await receive(url, { visibility: 1 });
    expect(first?.Body).toBe('again');
    expect(await receive(url)).toEqual([]);
    // A long poll wakes up when the message becomes visible again.
    const [second] = await receive(url, { wait: 10 });
    expect(second).toMatchObject({ MessageId: first?.MessageId, Body: 'again' });
    expect(second?.Attributes?.ApproximateReceiveCount).toBe('2');
    expect(second?.ReceiptHandle).not.toBe(first?.ReceiptHandle);

    // ChangeMessageVisibility 0 releases it at once.
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: url,
        ReceiptHandle: second!.ReceiptHandle!,
        VisibilityTimeout: 0,
      }),
    );
    const [third] = await receive(url);
    expect(third?.Attributes?.ApproximateReceiveCount).toBe('3');
  });

  it('sends, receives, changes and deletes in batches, reporting failures per entry', async () => {
    const url = await createQueue('sdk-batches');
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'a', MessageBody: 'one' },
          { Id: 'b', MessageBody: 'two', MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } } },
          { Id: 'c', MessageBody: 'three' },
          { Id: 'bad', MessageBody: 'late', DelaySeconds: 901 },
        ],
      }),
    );
    expect(sent.Successful?.map((entry) => entry.Id).sort()).toEqual(['a', 'b', 'c']);
    expect(sent.Failed).toEqual([
      expect.objectContaining({ Id: 'bad', SenderFault: true, Code: expect.any(String) }),
    ]);

    const messages = await receive(url);
    expect(messages.map((m) => m.Body).sort()).toEqual(['one', 'three', 'two']);
    const changed = await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: url,
        Entries: messages.map((m, i) => ({
          Id: `v${i}`,
          ReceiptHandle: m.ReceiptHandle!,
          VisibilityTimeout: 60,
        })),
      }),
    );
    expect(changed.Successful).toHaveLength(3);
    expect(changed.Failed ?? []).toEqual([]);

    const deleted = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          ...messages.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle! })),
          { Id: 'nope', ReceiptHandle: 'garbage' },
        ],
      }),
    );
    expect(deleted.Successful?.map((entry) => entry.Id).sort()).toEqual(['d0', 'd1', 'd2']);
    expect(deleted.Failed).toEqual([
      expect.objectContaining({ Id: 'nope', SenderFault: true, Code: 'ReceiptHandleIsInvalid' }),
    ]);

    const empty = await rejection(sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: [] })));
    expect(empty.name).toBe('EmptyBatchRequest');
    const tooMany = await rejection(
      sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: url,
          Entries: Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, MessageBody: 'x' })),
        }),
      ),
    );
    expect(tooMany.name).toBe('TooManyEntriesInBatchRequest');
    const twice = await rejection(
      sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: url,
          Entries: [
            { Id: 'same', MessageBody: 'x' },
            { Id: 'same', MessageBody: 'y' },
          ],
        }),
      ),
    );
    expect(twice.name).toBe('BatchEntryIdsNotDistinct');
  });

  it('purges a queue', async () => {
    const url = await createQueue('sdk-purge');
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'doomed' }));
    await sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
    expect(await receive(url)).toEqual([]);
  });
});

describe('FIFO queues', () => {
  it('deliver in order within each message group, one group member in flight at a time', async () => {
    const url = await createQueue('sdk-orders.fifo', { FifoQueue: 'true' });
    const sends = [
      ['a', 'a1'],
      ['b', 'b1'],
      ['a', 'a2'],
      ['b', 'b2'],
      ['a', 'a3'],
    ] as const;
    const sequenceNumbers: string[] = [];
    for (const [group, body] of sends) {
      const sent = await sqs.send(
        new SendMessageCommand({
          QueueUrl: url,
          MessageBody: body,
          MessageGroupId: group,
          MessageDeduplicationId: body,
        }),
      );
      sequenceNumbers.push(sent.SequenceNumber!);
    }
    expect(sequenceNumbers.map(BigInt)).toEqual(
      [...sequenceNumbers.map(BigInt)].sort((x, y) => (x < y ? -1 : 1)),
    );

    const seen: Record<string, string[]> = { a: [], b: [] };
    for (let round = 0; round < 10 && seen.a!.length + seen.b!.length < sends.length; round++) {
      const batch = await receive(url, { max: 1 });
      for (const message of batch) {
        const group = message.Attributes?.MessageGroupId ?? '?';
        seen[group]?.push(message.Body!);
        // While a1 is in flight nothing else of group a may be delivered; deleting releases the group.
        await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle! }));
      }
    }
    expect(seen).toEqual({ a: ['a1', 'a2', 'a3'], b: ['b1', 'b2'] });
  });

  it('holds back a group while its head is in flight', async () => {
    const url = await createQueue('sdk-hold.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'true' });
    for (const body of ['x1', 'x2']) {
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageGroupId: 'x' }));
    }
    const [head] = await receive(url, { max: 1 });
    expect(head?.Body).toBe('x1');
    expect(await receive(url)).toEqual([]);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: head!.ReceiptHandle! }));
    expect((await receive(url)).map((m) => m.Body)).toEqual(['x2']);
  });

  it('drop duplicates by MessageDeduplicationId and by content', async () => {
    const byId = await createQueue('sdk-dedupe-id.fifo', { FifoQueue: 'true' });
    const first = await sqs.send(
      new SendMessageCommand({
        QueueUrl: byId,
        MessageBody: 'one',
        MessageGroupId: 'g',
        MessageDeduplicationId: 'd1',
      }),
    );
    const again = await sqs.send(
      new SendMessageCommand({
        QueueUrl: byId,
        MessageBody: 'two',
        MessageGroupId: 'g',
        MessageDeduplicationId: 'd1',
      }),
    );
    expect(again.MessageId).toBe(first.MessageId);
    expect((await receive(byId)).map((m) => m.Body)).toEqual(['one']);

    const byContent = await createQueue('sdk-dedupe-body.fifo', {
      FifoQueue: 'true',
      ContentBasedDeduplication: 'true',
    });
    for (let i = 0; i < 3; i++) {
      await sqs.send(
        new SendMessageCommand({ QueueUrl: byContent, MessageBody: 'same', MessageGroupId: 'g' }),
      );
    }
    await sqs.send(
      new SendMessageCommand({ QueueUrl: byContent, MessageBody: 'other', MessageGroupId: 'g' }),
    );
    const bodies: string[] = [];
    for (let round = 0; round < 5; round++) {
      for (const message of await receive(byContent)) {
        bodies.push(message.Body!);
        await sqs.send(
          new DeleteMessageCommand({ QueueUrl: byContent, ReceiptHandle: message.ReceiptHandle! }),
        );
      }
    }
    expect(bodies).toEqual(['same', 'other']);

    const noId = await rejection(
      sqs.send(new SendMessageCommand({ QueueUrl: byId, MessageBody: 'x', MessageGroupId: 'g' })),
    );
    expect(noId.name).toBe('InvalidParameterValue');
  });
});

describe('SigV4', () => {
  it('accepts the configured key signing for sqs and refuses a wrong secret', async () => {
    await createQueue('sdk-auth');
    const wrong = createSqsClient(server.url, { ...KEY, secretAccessKey: 'not-the-secret' });
    const refused = await rejection(wrong.send(new ListQueuesCommand({})));
    expect(refused.name).toBe('SignatureDoesNotMatch');
    expect((refused.$metadata as { httpStatusCode?: number }).httpStatusCode).toBe(403);
    const unknown = createSqsClient(server.url, { accessKeyId: 'AKIDUNKNOWN', secretAccessKey: 'x' });
    expect((await rejection(unknown.send(new ListQueuesCommand({})))).name).toBe('InvalidClientTokenId');
  });
});
