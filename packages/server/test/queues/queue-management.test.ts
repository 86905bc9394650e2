/**
 * Queues in the domain: names, attributes with SQS's defaults, ranges and error texts, CreateQueue's
 * idempotence, listing, tags and deletion. Real SQLite store in memory; the API tests cover the wire.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { createQueueService } from '../../src/queues/queue-service.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';

import { createQueueFixture, queueArnOf, sqsErrorOf, T0, type QueueFixture } from './queue-fixture.js';

let f: QueueFixture;
beforeEach(() => {
  f = createQueueFixture();
});
afterEach(async () => {
  await f.close();
});

describe('createQueue', () => {
  it('creates a standard queue with SQS defaults, its ARN and timestamps', async () => {
    const info = await f.service.createQueue({ name: 'orders' });
    expect(info).toStrictEqual({
      name: 'orders',
      arn: 'arn:aws:sqs:eu-west-1:123456789012:orders',
      fifo: false,
      attributes: {
        DelaySeconds: '0',
        MaximumMessageSize: '262144',
        MessageRetentionPeriod: '345600',
        ReceiveMessageWaitTimeSeconds: '0',
        VisibilityTimeout: '30',
        SqsManagedSseEnabled: 'true',
      },
      createdAt: T0,
      updatedAt: T0,
    });
    expect(await f.service.getQueue('orders')).toStrictEqual(info);
  });

  it('creates a FIFO queue with the FIFO defaults', async () => {
    const info = await f.service.createQueue({
      name: 'jobs.fifo',
      attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'TRUE' },
    });
    expect(info.fifo).toBe(true);
    expect(info.attributes).toMatchObject({
      FifoQueue: 'true',
      ContentBasedDeduplication: 'true',
      DeduplicationScope: 'queue',
      FifoThroughputLimit: 'perQueue',
      VisibilityTimeout: '30',
    });
  });

  it.each([
    ['', false],
    ['a'.repeat(81), false],
    ['has space', false],
    ['dot.ted', false],
    ['jobs.fifo', false],
    ['jobs', true],
    [`${'a'.repeat(76)}.fifo`, true],
  ])('refuses the name %j (FIFO: %s) with InvalidParameterValue', async (name, fifo) => {
    const error = await sqsErrorOf(
      f.service.createQueue({ name, attributes: fifo ? { FifoQueue: 'true' } : {} }),
    );
    expect(error.sqsCode).toBe('InvalidParameterValue');
    expect(error.message).toBe(
      fifo
        ? 'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, ' +
            'must end with .fifo suffix and be 1 to 80 in length.'
        : 'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
    );
  });

  it('accepts names of 80 characters, FIFO suffix included', async () => {
    await f.service.createQueue({ name: 'a'.repeat(80) });
    await f.service.createQueue({ name: `${'b'.repeat(75)}.fifo`, attributes: { FifoQueue: 'true' } });
    expect((await f.service.listQueues({})).names).toHaveLength(2);
  });

  it.each([
    ['VisibilityTimeout', '-1'],
    ['VisibilityTimeout', '43201'],
    ['VisibilityTimeout', 'ten'],
    ['MessageRetentionPeriod', '59'],
    ['MessageRetentionPeriod', '1209601'],
    ['DelaySeconds', '901'],
    ['MaximumMessageSize', '1023'],
    ['MaximumMessageSize', '262145'],
    ['ReceiveMessageWaitTimeSeconds', '21'],
    ['KmsDataKeyReusePeriodSeconds', '59'],
    ['SqsManagedSseEnabled', 'yes'],
    ['Policy', 'not json'],
  ])('refuses %s=%s with InvalidAttributeValue', async (name, value) => {
    expect(
      await sqsErrorOf(f.service.createQueue({ name: 'q', attributes: { [name]: value } })),
    ).toStrictEqual({
      sqsCode: 'InvalidAttributeValue',
      message: `Invalid value for the parameter ${name}.`,
    });
    expect((await f.service.listQueues({})).names).toStrictEqual([]);
  });

  it('accepts the ends of every range and stores integers in normal form', async () => {
    const low = await f.service.createQueue({
      name: 'low',
      attributes: {
        VisibilityTimeout: '0',
        MessageRetentionPeriod: '60',
        DelaySeconds: '0',
        MaximumMessageSize: '1024',
        ReceiveMessageWaitTimeSeconds: '0',
      },
    });
    expect(low.attributes).toMatchObject({ MessageRetentionPeriod: '60', MaximumMessageSize: '1024' });
    const high = await f.service.createQueue({
      name: 'high',
      attributes: {
        VisibilityTimeout: '043200',
        MessageRetentionPeriod: '1209600',
        DelaySeconds: '900',
        MaximumMessageSize: '262144',
        ReceiveMessageWaitTimeSeconds: '20',
      },
    });
    expect(high.attributes).toMatchObject({ VisibilityTimeout: '43200', DelaySeconds: '900' });
  });

  it('refuses unknown, read-only and (on a standard queue) FIFO-only attribute names', async () => {
    for (const name of ['Colour', 'QueueArn', 'ApproximateNumberOfMessages', 'ContentBasedDeduplication']) {
      expect(
        await sqsErrorOf(f.service.createQueue({ name: 'q', attributes: { [name]: '1' } })),
      ).toStrictEqual({
        sqsCode: 'InvalidAttributeName',
        message: `Unknown Attribute ${name}.`,
      });
    }
  });

  it('is idempotent for the same attributes, and for a repeat that gives fewer of them', async () => {
    const first = await f.service.createQueue({ name: 'q', attributes: { VisibilityTimeout: '60' } });
    f.clock.now = T0 + 1000;
    expect(await f.service.createQueue({ name: 'q', attributes: { VisibilityTimeout: '60' } })).toStrictEqual(
      first,
    );
    expect(await f.service.createQueue({ name: 'q' })).toStrictEqual(first);
    // A default restated is the same value.
    expect(await f.service.createQueue({ name: 'q', attributes: { DelaySeconds: '0' } })).toStrictEqual(
      first,
    );
  });

  it('answers QueueNameExists when a repeat gives a different value, naming the attribute', async () => {
    await f.service.createQueue({ name: 'q', attributes: { VisibilityTimeout: '60' } });
    expect(
      await sqsErrorOf(f.service.createQueue({ name: 'q', attributes: { VisibilityTimeout: '61' } })),
    ).toStrictEqual({
      sqsCode: 'QueueNameExists',
      message:
        'A queue already exists with the same name and a different value for attribute VisibilityTimeout',
    });
    expect(
      (
        await sqsErrorOf(
          f.service.createQueue({ name: 'q', attributes: { Policy: '{"Version":"2012-10-17"}' } }),
        )
      ).sqsCode,
    ).toBe('QueueNameExists');
  });

  it('lets a repeat for an existing FIFO queue leave FifoQueue out, but not a new one', async () => {
    const created = await f.service.createQueue({ name: 'jobs.fifo', attributes: { FifoQueue: 'true' } });
    expect(await f.service.createQueue({ name: 'jobs.fifo' })).toStrictEqual(created);
    expect((await sqsErrorOf(f.service.createQueue({ name: 'new.fifo' }))).sqsCode).toBe(
      'InvalidParameterValue',
    );
    expect(
      (await sqsErrorOf(f.service.createQueue({ name: 'jobs.fifo', attributes: { FifoQueue: 'false' } })))
        .sqsCode,
    ).toBe('InvalidParameterValue');
  });

  it('applies tags only when it creates the queue', async () => {
    await f.service.createQueue({ name: 'q', tags: { team: 'a' } });
    await f.service.createQueue({ name: 'q', tags: { team: 'b', env: 'x' } });
    expect(await f.service.listQueueTags('q')).toStrictEqual({ team: 'a' });
  });
});

describe('queue attributes', () => {
  it('answers All with the stored, computed and FIFO attributes, timestamps in seconds', async () => {
    await f.service.createQueue({ name: 'q.fifo', attributes: { FifoQueue: 'true' } });
    await f.service.sendMessage('q.fifo', { body: 'x', messageGroupId: 'g', messageDeduplicationId: 'd' });
    expect(await f.service.getQueueAttributes('q.fifo', ['All'])).toStrictEqual({
      QueueArn: queueArnOf('q.fifo'),
      ApproximateNumberOfMessages: '1',
      ApproximateNumberOfMessagesNotVisible: '0',
      ApproximateNumberOfMessagesDelayed: '0',
      CreatedTimestamp: String(T0 / 1000),
      LastModifiedTimestamp: String(T0 / 1000),
      DelaySeconds: '0',
      MaximumMessageSize: '262144',
      MessageRetentionPeriod: '345600',
      ReceiveMessageWaitTimeSeconds: '0',
      VisibilityTimeout: '30',
      SqsManagedSseEnabled: 'true',
      FifoQueue: 'true',
      ContentBasedDeduplication: 'false',
      DeduplicationScope: 'queue',
      FifoThroughputLimit: 'perQueue',
    });
  });

  it('answers only the names asked for, none for an empty list, and refuses unknown names', async () => {
    await f.service.createQueue({ name: 'q' });
    expect(await f.service.getQueueAttributes('q', ['VisibilityTimeout', 'QueueArn'])).toStrictEqual({
      VisibilityTimeout: '30',
      QueueArn: queueArnOf('q'),
    });
    expect(await f.service.getQueueAttributes('q', [])).toStrictEqual({});
    // Known but unset: absent from the answer.
    expect(await f.service.getQueueAttributes('q', ['Policy'])).toStrictEqual({});
    for (const name of ['Nope', 'FifoQueue']) {
      expect(await sqsErrorOf(f.service.getQueueAttributes('q', [name]))).toStrictEqual({
        sqsCode: 'InvalidAttributeName',
        message: `Unknown Attribute ${name}.`,
      });
    }
  });

  it('counts visible, in-flight and delayed messages', async () => {
    await f.service.createQueue({ name: 'q' });
    for (const body of ['a', 'b', 'c']) await f.service.sendMessage('q', { body });
    await f.service.sendMessage('q', { body: 'later', delaySeconds: 60 });
    await f.service.receiveMessage('q', { maxNumberOfMessages: 1 });
    expect(
      await f.service.getQueueAttributes('q', [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ]),
    ).toStrictEqual({
      ApproximateNumberOfMessages: '2',
      ApproximateNumberOfMessagesNotVisible: '1',
      ApproximateNumberOfMessagesDelayed: '1',
    });
  });

  it('setQueueAttributes changes values, updates LastModifiedTimestamp, and removes with an empty string', async () => {
    await f.service.createQueue({ name: 'q', attributes: { Policy: '{"Statement":[]}' } });
    f.clock.now = T0 + 5000;
    await f.service.setQueueAttributes('q', { VisibilityTimeout: '5', Policy: '' });
    const info = await f.service.getQueue('q');
    expect(info.attributes.VisibilityTimeout).toBe('5');
    expect(info.attributes).not.toHaveProperty('Policy');
    expect(info.updatedAt).toBe(T0 + 5000);
    expect(
      await f.service.getQueueAttributes('q', ['LastModifiedTimestamp', 'CreatedTimestamp']),
    ).toStrictEqual({
      LastModifiedTimestamp: String((T0 + 5000) / 1000),
      CreatedTimestamp: String(T0 / 1000),
    });
  });

  it('setQueueAttributes validates like createQueue and never changes the kind of queue', async () => {
    await f.service.createQueue({ name: 'q' });
    await f.service.createQueue({ name: 'q.fifo', attributes: { FifoQueue: 'true' } });
    expect(
      (await sqsErrorOf(f.service.setQueueAttributes('q', { VisibilityTimeout: '99999' }))).sqsCode,
    ).toBe('InvalidAttributeValue');
    expect((await sqsErrorOf(f.service.setQueueAttributes('q', { FifoQueue: 'true' }))).sqsCode).toBe(
      'InvalidAttributeName',
    );
    expect((await sqsErrorOf(f.service.setQueueAttributes('q.fifo', { FifoQueue: 'false' }))).sqsCode).toBe(
      'InvalidParameterValue',
    );
    await f.service.setQueueAttributes('q.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'true' });
    expect((await f.service.getQueue('q.fifo')).attributes.ContentBasedDeduplication).toBe('true');
    // Per-group throughput needs per-group deduplication.
    expect(
      (await sqsErrorOf(f.service.setQueueAttributes('q.fifo', { FifoThroughputLimit: 'perMessageGroupId' })))
        .sqsCode,
    ).toBe('InvalidAttributeValue');
    await f.service.setQueueAttributes('q.fifo', {
      DeduplicationScope: 'messageGroup',
      FifoThroughputLimit: 'perMessageGroupId',
    });
  });

  it('answers QueueDoesNotExist for every operation on a missing queue', async () => {
    const missing = { sqsCode: 'QueueDoesNotExist', message: 'The specified queue does not exist.' };
    const calls: Array<Promise<unknown>> = [
      f.service.getQueue('ghost'),
      f.service.getQueueAttributes('ghost', ['All']),
      f.service.setQueueAttributes('ghost', {}),
      f.service.deleteQueue('ghost'),
      f.service.sendMessage('ghost', { body: 'x' }),
      f.service.sendMessageBatch('ghost', [{ id: '1', body: 'x' }]),
      f.service.receiveMessage('ghost', {}),
      f.service.deleteMessage('ghost', 'x'),
      f.service.changeMessageVisibility('ghost', 'x', 0),
      f.service.purgeQueue('ghost'),
      f.service.tagQueue('ghost', {}),
      f.service.untagQueue('ghost', []),
      f.service.listQueueTags('ghost'),
      f.service.moveMessages({ from: 'ghost', to: 'ghost' }),
    ];
    for (const call of calls) expect(await sqsErrorOf(call)).toStrictEqual(missing);
  });
});

describe('listQueues', () => {
  it('lists by prefix in name order; pages only when MaxResults is given', async () => {
    for (const name of ['b', 'a2', 'a1', 'c']) await f.service.createQueue({ name });
    expect(await f.service.listQueues({})).toStrictEqual({ names: ['a1', 'a2', 'b', 'c'] });
    expect(await f.service.listQueues({ prefix: 'a' })).toStrictEqual({ names: ['a1', 'a2'] });
    const first = await f.service.listQueues({ maxResults: 3 });
    expect(first.names).toStrictEqual(['a1', 'a2', 'b']);
    const second = await f.service.listQueues({
      maxResults: 3,
      ...(first.nextToken ? { nextToken: first.nextToken } : {}),
    });
    expect(second).toStrictEqual({ names: ['c'] });
  });

  it('refuses MaxResults outside 1-1000 and a token it did not issue', async () => {
    for (const maxResults of [0, 1001]) {
      expect((await sqsErrorOf(f.service.listQueues({ maxResults }))).sqsCode).toBe('InvalidParameterValue');
    }
    expect(await sqsErrorOf(f.service.listQueues({ maxResults: 1, nextToken: 'garbage!' }))).toStrictEqual({
      sqsCode: 'InvalidParameterValue',
      message: 'Invalid NextToken value.',
    });
  });
});

describe('tags and deletion', () => {
  it('tags, untags and lists tags', async () => {
    await f.service.createQueue({ name: 'q' });
    await f.service.tagQueue('q', { a: '1', b: '2' });
    await f.service.tagQueue('q', { b: '3' });
    await f.service.untagQueue('q', ['a', 'missing']);
    expect(await f.service.listQueueTags('q')).toStrictEqual({ b: '3' });
    const tooMany = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v']));
    expect((await sqsErrorOf(f.service.tagQueue('q', tooMany))).sqsCode).toBe('InvalidParameterValue');
    expect((await sqsErrorOf(f.service.tagQueue('q', { ['x'.repeat(129)]: 'v' }))).sqsCode).toBe(
      'InvalidParameterValue',
    );
  });

  it('deleteQueue removes the queue with its messages and tags; the name can be used again', async () => {
    await f.service.createQueue({ name: 'q', tags: { a: '1' } });
    await f.service.sendMessage('q', { body: 'x' });
    await f.service.deleteQueue('q');
    expect((await sqsErrorOf(f.service.getQueue('q'))).sqsCode).toBe('QueueDoesNotExist');
    await f.service.createQueue({ name: 'q' });
    expect(await f.service.listQueueTags('q')).toStrictEqual({});
    expect(await f.service.receiveMessage('q', {})).toStrictEqual([]);
  });
});

describe('background retention pass', () => {
  it('deletes expired messages of every queue on its interval, without a receive', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const store = createSqliteStore({ path: ':memory:' });
    let clock = T0;
    const service = createQueueService(store, {
      region: 'eu-west-1',
      accountId: '123456789012',
      now: () => clock,
    });
    try {
      await service.createQueue({ name: 'brief', attributes: { MessageRetentionPeriod: '60' } });
      const { messageId } = await service.sendMessage('brief', { body: 'x' });
      clock = T0 + 60_000;
      expect(await store.getQueueMessage('brief', messageId)).toBeDefined();
      await vi.advanceTimersByTimeAsync(60_000);
      await vi.waitFor(async () => expect(await store.getQueueMessage('brief', messageId)).toBeUndefined());
    } finally {
      service.close();
      vi.useRealTimers();
      await store.close();
    }
  });
});
