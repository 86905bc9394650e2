/**
 * The AmazonSQS.* operations over the AWS JSON 1.0 protocol, against a recording QueueService: how wire
 * members map to the domain and back, queue URLs, and SQS's error dialect (`__type`, the
 * `x-amzn-query-error` header, statuses) as @aws-sdk/client-sqs decodes it.
 */
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { GetQueueUrlCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify';
import { afterEach, describe, expect, it, vi, type Mock } from 'vitest';
import { registerAwsJsonProtocol } from '../../src/api/aws-json/protocol.js';
import { createSqsOperations, queueNameOfUrl } from '../../src/api/operations/sqs.js';
import type { Authenticate } from '../../src/api/sigv4.js';
import { AuthError, ValidationError } from '../../src/errors.js';
import { SqsError, type QueueInfo, type QueueService } from '../../src/queues/types.js';

const ACCOUNT = '000000000000';
const HOST = 'sqs.test:4010';
const URL_OF = (name: string): string => `http://${HOST}/${ACCOUNT}/${name}`;
const JSON_10 = 'application/x-amz-json-1.0';

type FakeQueues = { [K in keyof QueueService]: Mock<QueueService[K]> };

function md5(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

function queueInfo(name: string): QueueInfo {
  return {
    name,
    arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`,
    fifo: name.endsWith('.fifo'),
    attributes: {},
    createdAt: 0,
    updatedAt: 0,
  };
}

/** A QueueService whose every method is a mock with a harmless default answer. */
function fakeQueues(): FakeQueues {
  return {
    createQueue: vi.fn(async (input) => queueInfo(input.name)),
    getQueue: vi.fn(async (name) => queueInfo(name)),
    listQueues: vi.fn(async () => ({ names: [] })),
    deleteQueue: vi.fn(async () => undefined),
    getQueueAttributes: vi.fn(async () => ({})),
    setQueueAttributes: vi.fn(async () => undefined),
    sendMessage: vi.fn(async (_name, input) => ({ messageId: 'm-1', md5OfMessageBody: md5(input.body) })),
    sendMessageBatch: vi.fn(async () => ({ successful: [], failed: [] })),
    receiveMessage: vi.fn(async () => []),
    deleteMessage: vi.fn(async () => undefined),
    deleteMessageBatch: vi.fn(async () => ({ successful: [], failed: [] })),
    changeMessageVisibility: vi.fn(async () => undefined),
    changeMessageVisibilityBatch: vi.fn(async () => ({ successful: [], failed: [] })),
    purgeQueue: vi.fn(async () => undefined),
    tagQueue: vi.fn(async () => undefined),
    untagQueue: vi.fn(async () => undefined),
    listQueueTags: vi.fn(async () => ({})),
    moveMessages: vi.fn(async () => 0),
    close: vi.fn(() => undefined),
  };
}

const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function buildTestApp(options: { authenticate?: Authenticate } = {}) {
  const queues = fakeQueues();
  const logged: string[] = [];
  const app = Fastify();
  apps.push(app);
  registerAwsJsonProtocol(app, {
    operations: createSqsOperations(queues, { region: 'us-east-1', accountId: ACCOUNT }),
    authenticate: options.authenticate ?? (async () => ({ accessKeyId: 'AKIDTEST' })),
    bodyLimit: 1024 * 1024,
    log: { error: (_details, message) => logged.push(message) },
  });
  await app.ready();
  return { app, queues, logged };
}

function call(
  app: FastifyInstance,
  operation: string,
  input: Record<string, unknown> | string,
): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url: '/',
    headers: { 'content-type': JSON_10, 'x-amz-target': `AmazonSQS.${operation}`, host: HOST },
    payload: typeof input === 'string' ? input : JSON.stringify(input),
  });
}

function expectOk(response: LightMyRequestResponse): Record<string, unknown> {
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-type']).toBe(JSON_10);
  expect(response.headers['x-amzn-requestid']).toMatch(/\S/);
  return response.json<Record<string, unknown>>();
}

function expectSqsError(
  response: LightMyRequestResponse,
  expected: { status: number; type: string; queryError: string; message?: string | RegExp },
): void {
  expect(response.statusCode).toBe(expected.status);
  expect(response.headers['content-type']).toBe(JSON_10);
  expect(response.headers['x-amzn-query-error']).toBe(expected.queryError);
  expect(response.headers['x-amzn-requestid']).toMatch(/\S/);
  const body = response.json<{ __type: string; message: string }>();
  expect(body.__type).toBe(expected.type);
  if (typeof expected.message === 'string') expect(body.message).toBe(expected.message);
  else if (expected.message !== undefined) expect(body.message).toMatch(expected.message);
}

describe('AmazonSQS operation table', () => {
  it('has the operations of the issue, UntagQueue included', () => {
    const operations = createSqsOperations(fakeQueues(), { region: 'us-east-1', accountId: ACCOUNT });
    expect([...operations.keys()].sort()).toEqual(
      [
        'ChangeMessageVisibility',
        'ChangeMessageVisibilityBatch',
        'CreateQueue',
        'DeleteMessage',
        'DeleteMessageBatch',
        'DeleteQueue',
        'GetQueueAttributes',
        'GetQueueUrl',
        'ListQueueTags',
        'ListQueues',
        'PurgeQueue',
        'ReceiveMessage',
        'SendMessage',
        'SendMessageBatch',
        'SetQueueAttributes',
        'TagQueue',
        'UntagQueue',
      ].map((name) => `AmazonSQS.${name}`),
    );
  });
});

describe('queues', () => {
  it('CreateQueue passes name, attributes and tags and answers a URL on the Host the client used', async () => {
    const { app, queues } = await buildTestApp();
    const body = expectOk(
      await call(app, 'CreateQueue', {
        QueueName: 'orders',
        Attributes: { VisibilityTimeout: '45' },
        tags: { team: 'a' },
      }),
    );
    expect(body).toEqual({ QueueUrl: URL_OF('orders') });
    expect(queues.createQueue).toHaveBeenCalledWith({
      name: 'orders',
      attributes: { VisibilityTimeout: '45' },
      tags: { team: 'a' },
    });
  });

  it('GetQueueUrl answers the URL; another owner account has no such queue', async () => {
    const { app, queues } = await buildTestApp();
    expect(expectOk(await call(app, 'GetQueueUrl', { QueueName: 'orders' }))).toEqual({
      QueueUrl: URL_OF('orders'),
    });
    expect(
      expectOk(await call(app, 'GetQueueUrl', { QueueName: 'orders', QueueOwnerAWSAccountId: ACCOUNT })),
    ).toEqual({ QueueUrl: URL_OF('orders') });
    expectSqsError(
      await call(app, 'GetQueueUrl', { QueueName: 'orders', QueueOwnerAWSAccountId: '123456789012' }),
      {
        status: 400,
        type: 'com.amazonaws.sqs#QueueDoesNotExist',
        queryError: 'AWS.SimpleQueueService.NonExistentQueue;Sender',
        message: 'The specified queue does not exist.',
      },
    );
    expect(queues.getQueue).toHaveBeenCalledTimes(2);
  });

  it('ListQueues maps prefix and paging, and leaves QueueUrls out when nothing matches', async () => {
    const { app, queues } = await buildTestApp();
    expect(expectOk(await call(app, 'ListQueues', {}))).toEqual({});
    queues.listQueues.mockResolvedValueOnce({ names: ['a', 'b'], nextToken: 'next' });
    expect(
      expectOk(await call(app, 'ListQueues', { QueueNamePrefix: 'x', MaxResults: 2, NextToken: 'tok' })),
    ).toEqual({ QueueUrls: [URL_OF('a'), URL_OF('b')], NextToken: 'next' });
    expect(queues.listQueues).toHaveBeenLastCalledWith({ prefix: 'x', maxResults: 2, nextToken: 'tok' });
  });

  it('DeleteQueue, PurgeQueue and SetQueueAttributes address the queue by the name in its URL', async () => {
    const { app, queues } = await buildTestApp();
    expect(expectOk(await call(app, 'DeleteQueue', { QueueUrl: URL_OF('q1') }))).toEqual({});
    expect(expectOk(await call(app, 'PurgeQueue', { QueueUrl: URL_OF('q2') }))).toEqual({});
    expect(
      expectOk(
        await call(app, 'SetQueueAttributes', { QueueUrl: URL_OF('q3'), Attributes: { DelaySeconds: '5' } }),
      ),
    ).toEqual({});
    expect(queues.deleteQueue).toHaveBeenCalledWith('q1');
    expect(queues.purgeQueue).toHaveBeenCalledWith('q2');
    expect(queues.setQueueAttributes).toHaveBeenCalledWith('q3', { DelaySeconds: '5' });
  });

  it('GetQueueAttributes passes the names asked for and leaves an empty map out', async () => {
    const { app, queues } = await buildTestApp();
    expect(expectOk(await call(app, 'GetQueueAttributes', { QueueUrl: URL_OF('q') }))).toEqual({});
    expect(queues.getQueueAttributes).toHaveBeenLastCalledWith('q', []);
    queues.getQueueAttributes.mockResolvedValueOnce({ QueueArn: 'arn', VisibilityTimeout: '30' });
    expect(
      expectOk(await call(app, 'GetQueueAttributes', { QueueUrl: URL_OF('q'), AttributeNames: ['All'] })),
    ).toEqual({ Attributes: { QueueArn: 'arn', VisibilityTimeout: '30' } });
    expect(queues.getQueueAttributes).toHaveBeenLastCalledWith('q', ['All']);
  });

  it('TagQueue, UntagQueue and ListQueueTags map tags and keys', async () => {
    const { app, queues } = await buildTestApp();
    expectOk(await call(app, 'TagQueue', { QueueUrl: URL_OF('q'), Tags: { a: '1' } }));
    expectOk(await call(app, 'UntagQueue', { QueueUrl: URL_OF('q'), TagKeys: ['a'] }));
    expect(expectOk(await call(app, 'ListQueueTags', { QueueUrl: URL_OF('q') }))).toEqual({});
    queues.listQueueTags.mockResolvedValueOnce({ b: '2' });
    expect(expectOk(await call(app, 'ListQueueTags', { QueueUrl: URL_OF('q') }))).toEqual({
      Tags: { b: '2' },
    });
    expect(queues.tagQueue).toHaveBeenCalledWith('q', { a: '1' });
    expect(queues.untagQueue).toHaveBeenCalledWith('q', ['a']);
  });
});

describe('queue URLs', () => {
  it('are matched on their path: any host, percent-encoding decoded', () => {
    expect(queueNameOfUrl(`http://localhost:4010/${ACCOUNT}/orders`, ACCOUNT)).toBe('orders');
    expect(queueNameOfUrl(`https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/a.fifo`, ACCOUNT)).toBe('a.fifo');
    expect(queueNameOfUrl(`http://busway/${ACCOUNT}/my%2Dqueue/`, ACCOUNT)).toBe('my-queue');
  });

  it('of another account name a queue that does not exist; other values are not addresses', async () => {
    const { app, queues } = await buildTestApp();
    expectSqsError(await call(app, 'DeleteQueue', { QueueUrl: 'http://h/123456789012/q' }), {
      status: 400,
      type: 'com.amazonaws.sqs#QueueDoesNotExist',
      queryError: 'AWS.SimpleQueueService.NonExistentQueue;Sender',
    });
    for (const bad of ['orders', `http://h/${ACCOUNT}`, `http://h/${ACCOUNT}/a/b`]) {
      expectSqsError(await call(app, 'DeleteQueue', { QueueUrl: bad }), {
        status: 404,
        type: 'com.amazonaws.sqs#InvalidAddress',
        queryError: 'InvalidAddress;Sender',
        message: `The address ${bad} is not valid for this endpoint.`,
      });
    }
    expect(queues.deleteQueue).not.toHaveBeenCalled();
  });
});

describe('messages', () => {
  it('SendMessage maps every member in and out', async () => {
    const { app, queues } = await buildTestApp();
    queues.sendMessage.mockResolvedValueOnce({
      messageId: 'm-1',
      md5OfMessageBody: 'b',
      md5OfMessageAttributes: 'a',
      md5OfMessageSystemAttributes: 's',
      sequenceNumber: '1',
    });
    const body = expectOk(
      await call(app, 'SendMessage', {
        QueueUrl: URL_OF('q.fifo'),
        MessageBody: 'hello',
        DelaySeconds: 0,
        MessageAttributes: {
          text: { DataType: 'String', StringValue: 'x' },
          bytes: { DataType: 'Binary', BinaryValue: 'AAE=' },
          ignored: { DataType: 'String', StringValue: 'y', StringListValues: [] },
        },
        MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: 'Root=1-2-3' } },
        MessageGroupId: 'g',
        MessageDeduplicationId: 'd',
      }),
    );
    expect(body).toEqual({
      MessageId: 'm-1',
      MD5OfMessageBody: 'b',
      MD5OfMessageAttributes: 'a',
      MD5OfMessageSystemAttributes: 's',
      SequenceNumber: '1',
    });
    expect(queues.sendMessage).toHaveBeenCalledWith('q.fifo', {
      body: 'hello',
      delaySeconds: 0,
      messageAttributes: {
        text: { dataType: 'String', stringValue: 'x' },
        bytes: { dataType: 'Binary', binaryValue: 'AAE=' },
        ignored: { dataType: 'String', stringValue: 'y' },
      },
      messageSystemAttributes: { AWSTraceHeader: { dataType: 'String', stringValue: 'Root=1-2-3' } },
      messageGroupId: 'g',
      messageDeduplicationId: 'd',
    });
  });

  it('refuses a message attribute without a data type, as SQS does', async () => {
    const { app, queues } = await buildTestApp();
    expectSqsError(
      await call(app, 'SendMessage', {
        QueueUrl: URL_OF('q'),
        MessageBody: 'x',
        MessageAttributes: { a: { StringValue: 'v' } },
      }),
      {
        status: 400,
        type: 'InvalidParameterValue',
        queryError: 'InvalidParameterValue;Sender',
        message: "The message attribute 'a' must contain a non-empty message attribute type.",
      },
    );
    expect(queues.sendMessage).not.toHaveBeenCalled();
  });

  it('SendMessageBatch maps entries, successes and failures; an absent list reaches the service empty', async () => {
    const { app, queues } = await buildTestApp();
    queues.sendMessageBatch.mockResolvedValueOnce({
      successful: [{ id: 'a', messageId: 'm-a', md5OfMessageBody: 'x' }],
      failed: [{ id: 'b', code: 'InvalidParameterValue', message: 'no', senderFault: true }],
    });
    const body = expectOk(
      await call(app, 'SendMessageBatch', {
        QueueUrl: URL_OF('q'),
        Entries: [
          { Id: 'a', MessageBody: 'one', DelaySeconds: 3 },
          { Id: 'b', MessageBody: 'two' },
        ],
      }),
    );
    expect(body).toEqual({
      Successful: [{ Id: 'a', MessageId: 'm-a', MD5OfMessageBody: 'x' }],
      Failed: [{ Id: 'b', SenderFault: true, Code: 'InvalidParameterValue', Message: 'no' }],
    });
    expect(queues.sendMessageBatch).toHaveBeenCalledWith('q', [
      { id: 'a', body: 'one', delaySeconds: 3 },
      { id: 'b', body: 'two' },
    ]);
    expect(expectOk(await call(app, 'SendMessageBatch', { QueueUrl: URL_OF('q') }))).toEqual({
      Successful: [],
      Failed: [],
    });
    expect(queues.sendMessageBatch).toHaveBeenLastCalledWith('q', []);
  });

  it('ReceiveMessage merges both attribute-name members, passes an abort signal and maps messages', async () => {
    const { app, queues } = await buildTestApp();
    expect(expectOk(await call(app, 'ReceiveMessage', { QueueUrl: URL_OF('q') }))).toEqual({});
    queues.receiveMessage.mockResolvedValueOnce([
      {
        messageId: 'm',
        receiptHandle: 'r',
        body: 'b',
        md5OfBody: 'md5',
        attributes: { SentTimestamp: '1' },
        messageAttributes: { k: { dataType: 'Number', stringValue: '5' } },
        md5OfMessageAttributes: 'ma',
      },
      {
        messageId: 'n',
        receiptHandle: 's',
        body: 'c',
        md5OfBody: 'md5c',
        attributes: {},
        messageAttributes: {},
      },
    ]);
    const body = expectOk(
      await call(app, 'ReceiveMessage', {
        QueueUrl: URL_OF('q'),
        AttributeNames: ['SentTimestamp'],
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        MessageAttributeNames: ['All'],
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 5,
        WaitTimeSeconds: 2,
        ReceiveRequestAttemptId: 'try-1',
      }),
    );
    expect(body).toEqual({
      Messages: [
        {
          MessageId: 'm',
          ReceiptHandle: 'r',
          MD5OfBody: 'md5',
          Body: 'b',
          Attributes: { SentTimestamp: '1' },
          MD5OfMessageAttributes: 'ma',
          MessageAttributes: { k: { DataType: 'Number', StringValue: '5' } },
        },
        { MessageId: 'n', ReceiptHandle: 's', MD5OfBody: 'md5c', Body: 'c' },
      ],
    });
    const [name, input, signal] = queues.receiveMessage.mock.lastCall ?? [];
    expect(name).toBe('q');
    expect(input).toEqual({
      attributeNames: ['SentTimestamp', 'ApproximateReceiveCount'],
      messageAttributeNames: ['All'],
      maxNumberOfMessages: 10,
      visibilityTimeout: 5,
      waitTimeSeconds: 2,
      receiveRequestAttemptId: 'try-1',
    });
    expect(signal).toBeInstanceOf(AbortSignal);
    expect(signal?.aborted).toBe(false);
  });

  it('DeleteMessage, ChangeMessageVisibility and their batches map handles, timeouts and results', async () => {
    const { app, queues } = await buildTestApp();
    expectOk(await call(app, 'DeleteMessage', { QueueUrl: URL_OF('q'), ReceiptHandle: 'r1' }));
    expectOk(
      await call(app, 'ChangeMessageVisibility', {
        QueueUrl: URL_OF('q'),
        ReceiptHandle: 'r2',
        VisibilityTimeout: 0,
      }),
    );
    queues.deleteMessageBatch.mockResolvedValueOnce({
      successful: [{ id: 'a' }],
      failed: [{ id: 'b', code: 'ReceiptHandleIsInvalid', message: 'bad', senderFault: true }],
    });
    expect(
      expectOk(
        await call(app, 'DeleteMessageBatch', {
          QueueUrl: URL_OF('q'),
          Entries: [
            { Id: 'a', ReceiptHandle: 'ra' },
            { Id: 'b', ReceiptHandle: 'rb' },
          ],
        }),
      ),
    ).toEqual({
      Successful: [{ Id: 'a' }],
      Failed: [{ Id: 'b', SenderFault: true, Code: 'ReceiptHandleIsInvalid', Message: 'bad' }],
    });
    queues.changeMessageVisibilityBatch.mockResolvedValueOnce({ successful: [{ id: 'c' }], failed: [] });
    expect(
      expectOk(
        await call(app, 'ChangeMessageVisibilityBatch', {
          QueueUrl: URL_OF('q'),
          Entries: [{ Id: 'c', ReceiptHandle: 'rc', VisibilityTimeout: 60 }],
        }),
      ),
    ).toEqual({ Successful: [{ Id: 'c' }], Failed: [] });
    expect(queues.deleteMessage).toHaveBeenCalledWith('q', 'r1');
    expect(queues.changeMessageVisibility).toHaveBeenCalledWith('q', 'r2', 0);
    expect(queues.deleteMessageBatch).toHaveBeenCalledWith('q', [
      { id: 'a', receiptHandle: 'ra' },
      { id: 'b', receiptHandle: 'rb' },
    ]);
    expect(queues.changeMessageVisibilityBatch).toHaveBeenCalledWith('q', [
      { id: 'c', receiptHandle: 'rc', visibilityTimeout: 60 },
    ]);
  });
});

describe('SQS error dialect', () => {
  it('answers an absent required member with MissingParameter, naming it', async () => {
    const { app } = await buildTestApp();
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['CreateQueue', {}, 'QueueName'],
      ['SendMessage', { MessageBody: 'x' }, 'QueueUrl'],
      ['SendMessage', { QueueUrl: URL_OF('q') }, 'MessageBody'],
      ['ChangeMessageVisibility', { QueueUrl: URL_OF('q'), ReceiptHandle: 'r' }, 'VisibilityTimeout'],
      ['SetQueueAttributes', { QueueUrl: URL_OF('q') }, 'Attributes'],
      ['DeleteMessageBatch', { QueueUrl: URL_OF('q'), Entries: [{ Id: 'a' }] }, 'Entries.1.ReceiptHandle'],
    ];
    for (const [operation, input, member] of cases) {
      expectSqsError(await call(app, operation, input), {
        status: 400,
        type: 'MissingParameter',
        queryError: 'MissingParameter;Sender',
        message: `The request must contain the parameter ${member}.`,
      });
    }
  });

  it('answers a member of the wrong JSON type with SerializationException', async () => {
    const { app } = await buildTestApp();
    expectSqsError(await call(app, 'ReceiveMessage', { QueueUrl: URL_OF('q'), WaitTimeSeconds: '20' }), {
      status: 400,
      type: 'SerializationException',
      queryError: 'SerializationException;Sender',
      message: /WaitTimeSeconds/,
    });
    expectSqsError(await call(app, 'ListQueues', '[1]'), {
      status: 400,
      type: 'SerializationException',
      queryError: 'SerializationException;Sender',
    });
  });

  it("renders the QueueService's SqsErrors with the model's names, query codes and statuses", async () => {
    const { app, queues } = await buildTestApp();
    const cases: Array<[string, number, string, string]> = [
      [
        'QueueDoesNotExist',
        400,
        'com.amazonaws.sqs#QueueDoesNotExist',
        'AWS.SimpleQueueService.NonExistentQueue',
      ],
      ['QueueNameExists', 400, 'com.amazonaws.sqs#QueueNameExists', 'QueueAlreadyExists'],
      ['ReceiptHandleIsInvalid', 404, 'com.amazonaws.sqs#ReceiptHandleIsInvalid', 'ReceiptHandleIsInvalid'],
      [
        'PurgeQueueInProgress',
        403,
        'com.amazonaws.sqs#PurgeQueueInProgress',
        'AWS.SimpleQueueService.PurgeQueueInProgress',
      ],
      ['InvalidAttributeName', 400, 'com.amazonaws.sqs#InvalidAttributeName', 'InvalidAttributeName'],
      [
        'TooManyEntriesInBatchRequest',
        400,
        'com.amazonaws.sqs#TooManyEntriesInBatchRequest',
        'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
      ],
      ['InvalidParameterValue', 400, 'InvalidParameterValue', 'InvalidParameterValue'],
      // A query-era code given by the domain finds its model shape too.
      [
        'AWS.SimpleQueueService.NonExistentQueue',
        400,
        'com.amazonaws.sqs#QueueDoesNotExist',
        'AWS.SimpleQueueService.NonExistentQueue',
      ],
    ];
    for (const [code, status, type, queryCode] of cases) {
      queues.purgeQueue.mockRejectedValueOnce(new SqsError(code, `text of ${code}`));
      expectSqsError(await call(app, 'PurgeQueue', { QueueUrl: URL_OF('q') }), {
        status,
        type,
        queryError: `${queryCode};Sender`,
        message: `text of ${code}`,
      });
    }
  });

  it('maps generic domain errors to SQS codes and hides internal ones behind InternalFailure', async () => {
    const { app, queues, logged } = await buildTestApp();
    queues.purgeQueue.mockRejectedValueOnce(new ValidationError('bad value'));
    expectSqsError(await call(app, 'PurgeQueue', { QueueUrl: URL_OF('q') }), {
      status: 400,
      type: 'InvalidParameterValue',
      queryError: 'InvalidParameterValue;Sender',
      message: 'bad value',
    });
    queues.purgeQueue.mockRejectedValueOnce(new Error('SQLITE_BUSY: /var/lib/busway/busway.sqlite'));
    const response = await call(app, 'PurgeQueue', { QueueUrl: URL_OF('q') });
    expectSqsError(response, {
      status: 500,
      type: 'InternalFailure',
      queryError: 'InternalFailure;Receiver',
      message: 'An internal error occurred. The details are in the Busway server log.',
    });
    expect(response.body).not.toContain('SQLITE');
    expect(logged).toEqual(['internal error while serving an SQS request']);
  });

  it('answers an unknown SQS operation with InvalidAction', async () => {
    const { app } = await buildTestApp();
    expectSqsError(await call(app, 'AddPermission', {}), {
      status: 400,
      type: 'InvalidAction',
      queryError: 'InvalidAction;Sender',
      message: 'Operation AmazonSQS.AddPermission is not supported by Busway.',
    });
  });

  it("answers authentication failures with SQS's query-era codes", async () => {
    const { app } = await buildTestApp({
      authenticate: async () => {
        throw new AuthError(
          'UnrecognizedClientException',
          'The security token included in the request is invalid.',
        );
      },
    });
    expectSqsError(await call(app, 'ListQueues', {}), {
      status: 403,
      type: 'UnrecognizedClientException',
      queryError: 'InvalidClientTokenId;Sender',
      message: 'The security token included in the request is invalid.',
    });
  });

  it('leaves the bus dialect alone: AWSEvents errors stay JSON 1.1 without the query header', async () => {
    const { app } = await buildTestApp();
    const response = await app.inject({
      method: 'POST',
      url: '/',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSEvents.ListRules' },
      payload: '{}',
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(response.headers['x-amzn-query-error']).toBeUndefined();
    expect(response.json()).toEqual({
      __type: 'UnknownOperationException',
      message: 'Operation AWSEvents.ListRules is not supported by Busway.',
    });
  });
});

describe('over a real socket', () => {
  async function listen() {
    const built = await buildTestApp();
    await built.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = built.app.server.address() as AddressInfo;
    return { ...built, url: `http://127.0.0.1:${port}` };
  }

  it('@aws-sdk/client-sqs names errors by their model shape and checks the MD5 of what it sent', async () => {
    const { url, queues } = await listen();
    const client = new SQSClient({
      endpoint: url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
      maxAttempts: 1,
    });
    try {
      const sent = await client.send(
        new SendMessageCommand({ QueueUrl: `${url}/${ACCOUNT}/q`, MessageBody: 'hi' }),
      );
      expect(sent.MD5OfMessageBody).toBe(md5('hi'));
      expect(queues.sendMessage).toHaveBeenCalledWith('q', { body: 'hi' });

      queues.getQueue.mockRejectedValueOnce(
        new SqsError('QueueDoesNotExist', 'The specified queue does not exist.'),
      );
      const error = await client.send(new GetQueueUrlCommand({ QueueName: 'missing' })).then(
        () => undefined,
        (caught: unknown) =>
          caught as Error & { Code?: string; Type?: string; $metadata?: { httpStatusCode?: number } },
      );
      expect(error?.name).toBe('QueueDoesNotExist');
      expect(error?.message).toBe('The specified queue does not exist.');
      expect(error?.Code).toBe('AWS.SimpleQueueService.NonExistentQueue');
      expect(error?.Type).toBe('Sender');
      expect(error?.$metadata?.httpStatusCode).toBe(400);
    } finally {
      client.destroy();
    }
  });

  it('aborts the signal of a long poll whose client goes away', async () => {
    const { url, queues } = await listen();
    const aborted = new Promise<void>((resolve) => {
      queues.receiveMessage.mockImplementationOnce(
        (_name, _input, signal) =>
          new Promise((done) => {
            signal?.addEventListener('abort', () => {
              resolve();
              done([]);
            });
          }),
      );
    });
    const controller = new AbortController();
    const request = fetch(`${url}/`, {
      method: 'POST',
      headers: { 'content-type': JSON_10, 'x-amz-target': 'AmazonSQS.ReceiveMessage' },
      body: JSON.stringify({ QueueUrl: `${url}/${ACCOUNT}/q`, WaitTimeSeconds: 20 }),
      signal: controller.signal,
    }).catch((error: unknown) => error);
    await vi.waitFor(() => expect(queues.receiveMessage).toHaveBeenCalled());
    controller.abort();
    await aborted;
    expect(await request).toBeInstanceOf(Error);
  });
});
