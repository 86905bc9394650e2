/**
 * SQS's query protocol (form bodies, XML answers) on the shared routes, against a recording
 * QueueService: parameter names of every member kind (flattened lists, Name/Value and Key/Value maps,
 * message attributes, batch entries), queue URLs taken from the path, XML answers and XML errors.
 */
import { createHash } from 'node:crypto';
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify';
import { afterEach, describe, expect, it, vi, type Mock } from 'vitest';
import { registerAwsJsonProtocol } from '../../src/api/aws-json/protocol.js';
import { createSqsOperations } from '../../src/api/operations/sqs.js';
import { decodeStructure, paramTree } from '../../src/api/query/query-shapes.js';
import { createSqsQueryProtocol } from '../../src/api/query/sqs-query-protocol.js';
import { SQS_QUERY_OPERATIONS } from '../../src/api/query/sqs-query-shapes.js';
import type { Authenticate } from '../../src/api/sigv4.js';
import { AuthError } from '../../src/errors.js';
import { SqsError, type QueueInfo, type QueueService } from '../../src/queues/types.js';

const ACCOUNT = '000000000000';
const HOST = 'sqs.test:4010';
const QUEUE_URL = `http://${HOST}/${ACCOUNT}/q`;
const NS = 'http://queue.amazonaws.com/doc/2012-11-05/';
const FORM = 'application/x-www-form-urlencoded; charset=utf-8';

type FakeQueues = { [K in keyof QueueService]: Mock<QueueService[K]> };

function queueInfo(name: string): QueueInfo {
  return {
    name,
    arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`,
    fifo: false,
    attributes: {},
    createdAt: 0,
    updatedAt: 0,
  };
}

function fakeQueues(): FakeQueues {
  return {
    createQueue: vi.fn(async (input) => queueInfo(input.name)),
    getQueue: vi.fn(async (name) => queueInfo(name)),
    listQueues: vi.fn(async () => ({ names: [] })),
    deleteQueue: vi.fn(async () => undefined),
    getQueueAttributes: vi.fn(async () => ({})),
    setQueueAttributes: vi.fn(async () => undefined),
    sendMessage: vi.fn(async (_name, input) => ({
      messageId: 'm-1',
      md5OfMessageBody: createHash('md5').update(input.body).digest('hex'),
    })),
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

async function buildTestApp(options: { authenticate?: Authenticate; bodyLimit?: number } = {}) {
  const queues = fakeQueues();
  const services: string[] = [];
  const authenticate: Authenticate = async (request, service) => {
    services.push(service);
    return options.authenticate === undefined
      ? { accessKeyId: 'AKIDTEST' }
      : options.authenticate(request, service);
  };
  const operations = createSqsOperations(queues, { region: 'us-east-1', accountId: ACCOUNT });
  const app = Fastify();
  apps.push(app);
  registerAwsJsonProtocol(app, {
    operations,
    authenticate,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    formProtocol: createSqsQueryProtocol({ operations, authenticate }),
  });
  await app.ready();
  return { app, queues, services };
}

function post(
  app: FastifyInstance,
  params: Record<string, string>,
  url = '/',
): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': FORM, host: HOST },
    payload: new URLSearchParams({ Version: '2012-11-05', ...params }).toString(),
  });
}

/** The XML answer without its declaration, after checking the headers of a success. */
function expectXml(response: LightMyRequestResponse, status = 200): string {
  expect(response.statusCode).toBe(status);
  expect(response.headers['content-type']).toBe('text/xml');
  const requestId = response.headers['x-amzn-requestid'];
  expect(requestId).toMatch(/\S/);
  expect(response.body.startsWith('<?xml version="1.0"?>')).toBe(true);
  return response.body.slice('<?xml version="1.0"?>'.length).replaceAll(String(requestId), 'RID');
}

function expectXmlError(
  response: LightMyRequestResponse,
  status: number,
  code: string,
  message: string,
): void {
  expect(expectXml(response, status)).toBe(
    `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${code}</Code>` +
      `<Message>${message}</Message><Detail/></Error><RequestId>RID</RequestId></ErrorResponse>`,
  );
}

describe('query protocol: requests', () => {
  it('SendMessage: message attributes by Name and Value.DataType/StringValue/BinaryValue', async () => {
    const { app, queues, services } = await buildTestApp();
    const xml = expectXml(
      await post(app, {
        Action: 'SendMessage',
        QueueUrl: QUEUE_URL,
        MessageBody: 'hello & <world>',
        DelaySeconds: '2',
        'MessageAttribute.1.Name': 'city',
        'MessageAttribute.1.Value.DataType': 'String',
        'MessageAttribute.1.Value.StringValue': 'Zürich',
        'MessageAttribute.2.Name': 'raw',
        'MessageAttribute.2.Value.DataType': 'Binary',
        'MessageAttribute.2.Value.BinaryValue': 'AAE=',
        'MessageSystemAttribute.1.Name': 'AWSTraceHeader',
        'MessageSystemAttribute.1.Value.DataType': 'String',
        'MessageSystemAttribute.1.Value.StringValue': 'Root=1',
      }),
    );
    expect(queues.sendMessage).toHaveBeenCalledWith('q', {
      body: 'hello & <world>',
      delaySeconds: 2,
      messageAttributes: {
        city: { dataType: 'String', stringValue: 'Zürich' },
        raw: { dataType: 'Binary', binaryValue: 'AAE=' },
      },
      messageSystemAttributes: { AWSTraceHeader: { dataType: 'String', stringValue: 'Root=1' } },
    });
    expect(xml).toBe(
      `<SendMessageResponse xmlns="${NS}"><SendMessageResult>` +
        `<MD5OfMessageBody>${createHash('md5').update('hello & <world>').digest('hex')}</MD5OfMessageBody>` +
        '<MessageId>m-1</MessageId></SendMessageResult>' +
        '<ResponseMetadata><RequestId>RID</RequestId></ResponseMetadata></SendMessageResponse>',
    );
    expect(services).toEqual(['sqs']);
  });

  it('takes the queue from the path when the form is posted to the queue URL', async () => {
    const { app, queues } = await buildTestApp();
    expectXml(await post(app, { Action: 'PurgeQueue' }, `/${ACCOUNT}/from-path`));
    expect(queues.purgeQueue).toHaveBeenCalledWith('from-path');
    // A QueueUrl in the form wins over the path.
    expectXml(await post(app, { Action: 'PurgeQueue', QueueUrl: QUEUE_URL }, `/${ACCOUNT}/from-path`));
    expect(queues.purgeQueue).toHaveBeenLastCalledWith('q');
  });

  it('CreateQueue: Attribute.N.Name/Value and Tag.N.Key/Value', async () => {
    const { app, queues } = await buildTestApp();
    const xml = expectXml(
      await post(app, {
        Action: 'CreateQueue',
        QueueName: 'jobs.fifo',
        'Attribute.1.Name': 'FifoQueue',
        'Attribute.1.Value': 'true',
        'Attribute.2.Name': 'ContentBasedDeduplication',
        'Attribute.2.Value': 'true',
        'Tag.1.Key': 'team',
        'Tag.1.Value': 'blue',
      }),
    );
    expect(queues.createQueue).toHaveBeenCalledWith({
      name: 'jobs.fifo',
      attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'true' },
      tags: { team: 'blue' },
    });
    expect(xml).toBe(
      `<CreateQueueResponse xmlns="${NS}"><CreateQueueResult><QueueUrl>http://${HOST}/${ACCOUNT}/jobs.fifo</QueueUrl>` +
        '</CreateQueueResult><ResponseMetadata><RequestId>RID</RequestId></ResponseMetadata></CreateQueueResponse>',
    );
  });

  it('SendMessageBatch: SendMessageBatchRequestEntry.N.* in, result and error entries out', async () => {
    const { app, queues } = await buildTestApp();
    queues.sendMessageBatch.mockResolvedValueOnce({
      successful: [{ id: 'a', messageId: 'm-a', md5OfMessageBody: 'x', sequenceNumber: '7' }],
      failed: [{ id: 'b', code: 'InvalidParameterValue', message: 'too <big>', senderFault: true }],
    });
    const xml = expectXml(
      await post(app, {
        Action: 'SendMessageBatch',
        QueueUrl: QUEUE_URL,
        'SendMessageBatchRequestEntry.1.Id': 'a',
        'SendMessageBatchRequestEntry.1.MessageBody': 'one',
        'SendMessageBatchRequestEntry.1.MessageGroupId': 'g',
        'SendMessageBatchRequestEntry.1.MessageAttribute.1.Name': 'n',
        'SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType': 'Number',
        'SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue': '1',
        'SendMessageBatchRequestEntry.2.Id': 'b',
        'SendMessageBatchRequestEntry.2.MessageBody': 'two',
        'SendMessageBatchRequestEntry.2.DelaySeconds': '9',
      }),
    );
    expect(queues.sendMessageBatch).toHaveBeenCalledWith('q', [
      {
        id: 'a',
        body: 'one',
        messageGroupId: 'g',
        messageAttributes: { n: { dataType: 'Number', stringValue: '1' } },
      },
      { id: 'b', body: 'two', delaySeconds: 9 },
    ]);
    expect(xml).toBe(
      `<SendMessageBatchResponse xmlns="${NS}"><SendMessageBatchResult>` +
        '<SendMessageBatchResultEntry><Id>a</Id><MD5OfMessageBody>x</MD5OfMessageBody><MessageId>m-a</MessageId>' +
        '<SequenceNumber>7</SequenceNumber></SendMessageBatchResultEntry>' +
        '<BatchResultErrorEntry><Id>b</Id><SenderFault>true</SenderFault><Code>InvalidParameterValue</Code>' +
        '<Message>too &lt;big&gt;</Message></BatchResultErrorEntry>' +
        '</SendMessageBatchResult><ResponseMetadata><RequestId>RID</RequestId></ResponseMetadata>' +
        '</SendMessageBatchResponse>',
    );
  });

  it('ReceiveMessage: AttributeName.N, MessageAttributeName.N, integers; messages as XML', async () => {
    const { app, queues } = await buildTestApp();
    queues.receiveMessage.mockResolvedValueOnce([
      {
        messageId: 'm',
        receiptHandle: 'r+/=',
        body: 'line1\r\nline2 <&>',
        md5OfBody: 'md5',
        attributes: { SentTimestamp: '1700000000000', ApproximateReceiveCount: '1' },
        messageAttributes: {
          s: { dataType: 'String', stringValue: 'v' },
          b: { dataType: 'Binary', binaryValue: 'AAE=' },
        },
        md5OfMessageAttributes: 'ma',
      },
    ]);
    const xml = expectXml(
      await post(app, {
        Action: 'ReceiveMessage',
        QueueUrl: QUEUE_URL,
        'AttributeName.1': 'All',
        'MessageSystemAttributeName.1': 'SenderId',
        'MessageAttributeName.1': 'All',
        MaxNumberOfMessages: '10',
        VisibilityTimeout: '30',
        WaitTimeSeconds: '0',
      }),
    );
    expect(queues.receiveMessage.mock.lastCall?.[1]).toEqual({
      attributeNames: ['All', 'SenderId'],
      messageAttributeNames: ['All'],
      maxNumberOfMessages: 10,
      visibilityTimeout: 30,
      waitTimeSeconds: 0,
    });
    expect(xml).toBe(
      `<ReceiveMessageResponse xmlns="${NS}"><ReceiveMessageResult><Message>` +
        '<MessageId>m</MessageId><ReceiptHandle>r+/=</ReceiptHandle><MD5OfBody>md5</MD5OfBody>' +
        '<Body>line1&#xD;\nline2 &lt;&amp;&gt;</Body>' +
        '<Attribute><Name>SentTimestamp</Name><Value>1700000000000</Value></Attribute>' +
        '<Attribute><Name>ApproximateReceiveCount</Name><Value>1</Value></Attribute>' +
        '<MD5OfMessageAttributes>ma</MD5OfMessageAttributes>' +
        '<MessageAttribute><Name>s</Name><Value><StringValue>v</StringValue><DataType>String</DataType></Value></MessageAttribute>' +
        '<MessageAttribute><Name>b</Name><Value><BinaryValue>AAE=</BinaryValue><DataType>Binary</DataType></Value></MessageAttribute>' +
        '</Message></ReceiveMessageResult><ResponseMetadata><RequestId>RID</RequestId></ResponseMetadata>' +
        '</ReceiveMessageResponse>',
    );
    // No message: an empty result element.
    expect(expectXml(await post(app, { Action: 'ReceiveMessage', QueueUrl: QUEUE_URL }))).toBe(
      `<ReceiveMessageResponse xmlns="${NS}"><ReceiveMessageResult></ReceiveMessageResult>` +
        '<ResponseMetadata><RequestId>RID</RequestId></ResponseMetadata></ReceiveMessageResponse>',
    );
  });

  it('GetQueueAttributes, ListQueues and ListQueueTags: repeated elements', async () => {
    const { app, queues } = await buildTestApp();
    queues.getQueueAttributes.mockResolvedValueOnce({ VisibilityTimeout: '30', DelaySeconds: '0' });
    expect(
      expectXml(
        await post(app, {
          Action: 'GetQueueAttributes',
          QueueUrl: QUEUE_URL,
          'AttributeName.1': 'VisibilityTimeout',
          'AttributeName.2': 'DelaySeconds',
        }),
      ),
    ).toContain(
      '<GetQueueAttributesResult><Attribute><Name>VisibilityTimeout</Name><Value>30</Value></Attribute>' +
        '<Attribute><Name>DelaySeconds</Name><Value>0</Value></Attribute></GetQueueAttributesResult>',
    );
    expect(queues.getQueueAttributes).toHaveBeenCalledWith('q', ['VisibilityTimeout', 'DelaySeconds']);

    queues.listQueues.mockResolvedValueOnce({ names: ['a', 'b'] });
    expect(expectXml(await post(app, { Action: 'ListQueues', QueueNamePrefix: 'x' }))).toContain(
      `<ListQueuesResult><QueueUrl>http://${HOST}/${ACCOUNT}/a</QueueUrl>` +
        `<QueueUrl>http://${HOST}/${ACCOUNT}/b</QueueUrl></ListQueuesResult>`,
    );
    expect(queues.listQueues).toHaveBeenCalledWith({ prefix: 'x' });

    queues.listQueueTags.mockResolvedValueOnce({ team: 'blue' });
    expect(expectXml(await post(app, { Action: 'ListQueueTags', QueueUrl: QUEUE_URL }))).toContain(
      '<ListQueueTagsResult><Tag><Key>team</Key><Value>blue</Value></Tag></ListQueueTagsResult>',
    );
  });

  it('DeleteMessage(Batch), ChangeMessageVisibility(Batch), TagQueue, UntagQueue, SetQueueAttributes', async () => {
    const { app, queues } = await buildTestApp();
    expect(
      expectXml(await post(app, { Action: 'DeleteMessage', QueueUrl: QUEUE_URL, ReceiptHandle: 'r' })),
    ).toBe(
      `<DeleteMessageResponse xmlns="${NS}"><ResponseMetadata><RequestId>RID</RequestId></ResponseMetadata>` +
        '</DeleteMessageResponse>',
    );
    expectXml(
      await post(app, {
        Action: 'ChangeMessageVisibility',
        QueueUrl: QUEUE_URL,
        ReceiptHandle: 'r',
        VisibilityTimeout: '0',
      }),
    );
    queues.deleteMessageBatch.mockResolvedValueOnce({ successful: [{ id: 'a' }], failed: [] });
    expect(
      expectXml(
        await post(app, {
          Action: 'DeleteMessageBatch',
          QueueUrl: QUEUE_URL,
          'DeleteMessageBatchRequestEntry.1.Id': 'a',
          'DeleteMessageBatchRequestEntry.1.ReceiptHandle': 'ra',
        }),
      ),
    ).toContain(
      '<DeleteMessageBatchResult><DeleteMessageBatchResultEntry><Id>a</Id></DeleteMessageBatchResultEntry>',
    );
    queues.changeMessageVisibilityBatch.mockResolvedValueOnce({ successful: [{ id: 'c' }], failed: [] });
    expect(
      expectXml(
        await post(app, {
          Action: 'ChangeMessageVisibilityBatch',
          QueueUrl: QUEUE_URL,
          'ChangeMessageVisibilityBatchRequestEntry.1.Id': 'c',
          'ChangeMessageVisibilityBatchRequestEntry.1.ReceiptHandle': 'rc',
          'ChangeMessageVisibilityBatchRequestEntry.1.VisibilityTimeout': '10',
        }),
      ),
    ).toContain(
      '<ChangeMessageVisibilityBatchResult><ChangeMessageVisibilityBatchResultEntry><Id>c</Id>' +
        '</ChangeMessageVisibilityBatchResultEntry></ChangeMessageVisibilityBatchResult>',
    );
    expectXml(
      await post(app, { Action: 'TagQueue', QueueUrl: QUEUE_URL, 'Tag.1.Key': 'k', 'Tag.1.Value': 'v' }),
    );
    expectXml(
      await post(app, { Action: 'UntagQueue', QueueUrl: QUEUE_URL, 'TagKey.1': 'k', 'TagKey.2': 'j' }),
    );
    expectXml(
      await post(app, {
        Action: 'SetQueueAttributes',
        QueueUrl: QUEUE_URL,
        'Attribute.1.Name': 'DelaySeconds',
        'Attribute.1.Value': '3',
      }),
    );
    expect(queues.deleteMessage).toHaveBeenCalledWith('q', 'r');
    expect(queues.changeMessageVisibility).toHaveBeenCalledWith('q', 'r', 0);
    expect(queues.deleteMessageBatch).toHaveBeenCalledWith('q', [{ id: 'a', receiptHandle: 'ra' }]);
    expect(queues.changeMessageVisibilityBatch).toHaveBeenCalledWith('q', [
      { id: 'c', receiptHandle: 'rc', visibilityTimeout: 10 },
    ]);
    expect(queues.tagQueue).toHaveBeenCalledWith('q', { k: 'v' });
    expect(queues.untagQueue).toHaveBeenCalledWith('q', ['k', 'j']);
    expect(queues.setQueueAttributes).toHaveBeenCalledWith('q', { DelaySeconds: '3' });
  });

  it('reads parameters from the URL query too', async () => {
    const { app, queues } = await buildTestApp();
    const response = await app.inject({
      method: 'POST',
      url: `/?Action=DeleteQueue&QueueUrl=${encodeURIComponent(QUEUE_URL)}`,
      headers: { 'content-type': FORM, host: HOST },
      payload: '',
    });
    expectXml(response);
    expect(queues.deleteQueue).toHaveBeenCalledWith('q');
  });
});

describe('query protocol: errors', () => {
  it('answers domain errors with an XML ErrorResponse carrying the query-era code and status', async () => {
    const { app, queues } = await buildTestApp();
    queues.purgeQueue.mockRejectedValueOnce(
      new SqsError('QueueDoesNotExist', 'The specified queue does not exist.'),
    );
    expectXmlError(
      await post(app, { Action: 'PurgeQueue', QueueUrl: QUEUE_URL }),
      400,
      'AWS.SimpleQueueService.NonExistentQueue',
      'The specified queue does not exist.',
    );
    queues.deleteMessage.mockRejectedValueOnce(
      new SqsError('ReceiptHandleIsInvalid', 'The input receipt handle "x" is not a valid receipt handle.'),
    );
    expectXmlError(
      await post(app, { Action: 'DeleteMessage', QueueUrl: QUEUE_URL, ReceiptHandle: 'x' }),
      404,
      'ReceiptHandleIsInvalid',
      'The input receipt handle &quot;x&quot; is not a valid receipt handle.',
    );
  });

  it('answers a form without Action, an unknown Action, a bad integer and a missing member', async () => {
    const { app } = await buildTestApp();
    expectXmlError(
      await post(app, {}),
      400,
      'MissingAction',
      'The request must contain the parameter Action.',
    );
    expectXmlError(
      await post(app, { Action: 'AddPermission' }),
      400,
      'InvalidAction',
      'The action AddPermission is not valid for this endpoint.',
    );
    expectXmlError(
      await post(app, { Action: 'ReceiveMessage', QueueUrl: QUEUE_URL, WaitTimeSeconds: 'soon' }),
      400,
      'InvalidParameterValue',
      'Value soon for parameter WaitTimeSeconds is invalid. Reason: Must be an integer.',
    );
    expectXmlError(
      await post(app, { Action: 'SendMessage', QueueUrl: QUEUE_URL }),
      400,
      'MissingParameter',
      'The request must contain the parameter MessageBody.',
    );
    expectXmlError(
      await post(app, { Action: 'CreateQueue', QueueName: 'q', 'Attribute.1.Value': '3' }),
      400,
      'MissingParameter',
      'The request must contain the parameter Attribute.1.Name.',
    );
  });

  it('authenticates for sqs before reading the form, and answers auth failures in XML', async () => {
    const { app, queues, services } = await buildTestApp({
      authenticate: async () => {
        throw new AuthError(
          'InvalidSignatureException',
          'The request signature we calculated does not match.',
        );
      },
    });
    const response = await post(app, { Action: 'PurgeQueue', QueueUrl: QUEUE_URL });
    expectXmlError(
      response,
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match.',
    );
    expect(services).toEqual(['sqs']);
    expect(queues.purgeQueue).not.toHaveBeenCalled();
  });

  it("answers Fastify's own errors on a form request in XML too", async () => {
    const { app } = await buildTestApp({ bodyLimit: 64 });
    const response = await post(app, {
      Action: 'SendMessage',
      QueueUrl: QUEUE_URL,
      MessageBody: 'x'.repeat(100),
    });
    expect(response.statusCode).toBe(413);
    expect(response.headers['content-type']).toBe('text/xml');
    expect(response.body).toContain('<Code>RequestEntityTooLarge</Code>');
  });

  it('leaves JSON requests to the JSON protocol', async () => {
    const { app } = await buildTestApp();
    const response = await app.inject({
      method: 'POST',
      url: '/',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'AmazonSQS.ListQueues',
        host: HOST,
      },
      payload: '{}',
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({});
  });
});

describe('query parameter decoding', () => {
  it('orders list items by number, not by text, and keeps the first of a repeated parameter', () => {
    const params: Array<[string, string]> = [];
    for (let i = 12; i >= 1; i--) params.push([`AttributeName.${i}`, `n${i}`]);
    params.push(['QueueUrl', 'first'], ['QueueUrl', 'second'], ['AttributeName.0', 'not an index']);
    const input = decodeStructure(paramTree(params), SQS_QUERY_OPERATIONS.GetQueueAttributes!.input);
    expect(input).toEqual({
      QueueUrl: 'first',
      AttributeNames: Array.from({ length: 12 }, (_, i) => `n${i + 1}`),
    });
  });

  it('decodes a large batch form in one pass', () => {
    const params: Array<[string, string]> = [];
    for (let i = 1; i <= 20_000; i++) {
      params.push(
        [`SendMessageBatchRequestEntry.${i}.Id`, `e${i}`],
        [`SendMessageBatchRequestEntry.${i}.MessageBody`, 'b'],
      );
    }
    const input = decodeStructure(paramTree(params), SQS_QUERY_OPERATIONS.SendMessageBatch!.input);
    expect((input.Entries as unknown[]).length).toBe(20_000);
  });
});
