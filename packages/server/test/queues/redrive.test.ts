/**
 * Dead-letter queues: RedrivePolicy's rules and texts, the move to the dead-letter queue once a message
 * was received maxReceiveCount times, RedriveAllowPolicy, and moving messages back (moveMessages).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createQueueFixture, queueArnOf, sqsErrorOf, T0, type QueueFixture } from './queue-fixture.js';

let f: QueueFixture;
beforeEach(async () => {
  f = createQueueFixture();
  await f.service.createQueue({ name: 'dlq' });
});
afterEach(async () => {
  await f.close();
});

const policy = (target: string, maxReceiveCount: number | string) =>
  JSON.stringify({ deadLetterTargetArn: queueArnOf(target), maxReceiveCount });

describe('RedrivePolicy', () => {
  it('is stored in normal form, the count as a number', async () => {
    const info = await f.service.createQueue({
      name: 'src',
      attributes: { RedrivePolicy: policy('dlq', '3') },
    });
    expect(info.attributes.RedrivePolicy).toBe(
      `{"deadLetterTargetArn":"${queueArnOf('dlq')}","maxReceiveCount":3}`,
    );
  });

  it.each([
    ['not json', 'Redrive policy is not a valid JSON map.'],
    [
      JSON.stringify({ maxReceiveCount: 3 }),
      'Redrive policy does not contain mandatory attribute: deadLetterTargetArn.',
    ],
    [
      JSON.stringify({ deadLetterTargetArn: queueArnOf('dlq') }),
      'Redrive policy does not contain mandatory attribute: maxReceiveCount.',
    ],
    [
      policy('dlq', 0),
      'Invalid value for maxReceiveCount: 0, valid values are from 1 to 1000 both inclusive.',
    ],
    [
      policy('dlq', 1001),
      'Invalid value for maxReceiveCount: 1001, valid values are from 1 to 1000 both inclusive.',
    ],
    [policy('ghost', 3), 'Dead letter target does not exist.'],
    [
      JSON.stringify({ deadLetterTargetArn: 'arn:aws:sqs:us-east-1:123456789012:dlq', maxReceiveCount: 3 }),
      'Dead letter target does not exist.',
    ],
    [policy('dlq.fifo', 3), 'Dead-letter queue must be same type of queue as the source.'],
  ])('refuses %s', async (value, reason) => {
    await f.service.createQueue({ name: 'dlq.fifo', attributes: { FifoQueue: 'true' } });
    expect(
      await sqsErrorOf(f.service.createQueue({ name: 'src', attributes: { RedrivePolicy: value } })),
    ).toStrictEqual({
      sqsCode: 'InvalidParameterValue',
      message: `Value ${value} for parameter RedrivePolicy is invalid. Reason: ${reason}`,
    });
  });

  it('is removed with an empty string', async () => {
    await f.service.createQueue({ name: 'src', attributes: { RedrivePolicy: policy('dlq', 1) } });
    await f.service.setQueueAttributes('src', { RedrivePolicy: '' });
    expect(await f.service.getQueueAttributes('src', ['RedrivePolicy'])).toStrictEqual({});
  });

  it("honours the dead-letter queue's RedriveAllowPolicy", async () => {
    await f.service.createQueue({ name: 'src' });
    await f.service.setQueueAttributes('dlq', { RedriveAllowPolicy: '{"redrivePermission":"denyAll"}' });
    expect(
      (await sqsErrorOf(f.service.setQueueAttributes('src', { RedrivePolicy: policy('dlq', 1) }))).sqsCode,
    ).toBe('InvalidParameterValue');
    await f.service.setQueueAttributes('dlq', {
      RedriveAllowPolicy: JSON.stringify({
        redrivePermission: 'byQueue',
        sourceQueueArns: [queueArnOf('src')],
      }),
    });
    await f.service.setQueueAttributes('src', { RedrivePolicy: policy('dlq', 1) });
    expect(
      (
        await sqsErrorOf(
          f.service.setQueueAttributes('dlq', { RedriveAllowPolicy: '{"redrivePermission":"byQueue"}' }),
        )
      ).sqsCode,
    ).toBe('InvalidParameterValue');
  });
});

describe('redrive on receive', () => {
  it('moves a message to the dead-letter queue instead of its (maxReceiveCount + 1)th receive', async () => {
    await f.service.createQueue({ name: 'src', attributes: { RedrivePolicy: policy('dlq', 2) } });
    const { messageId } = await f.service.sendMessage('src', {
      body: 'poison',
      messageAttributes: { k: { dataType: 'String', stringValue: 'v' } },
    });
    for (const count of ['1', '2']) {
      const [m] = await f.service.receiveMessage('src', {
        visibilityTimeout: 0,
        attributeNames: ['ApproximateReceiveCount'],
      });
      expect(m?.attributes?.ApproximateReceiveCount).toBe(count);
    }
    expect(await f.service.receiveMessage('src', {})).toStrictEqual([]);
    expect(await f.service.getQueueAttributes('src', ['ApproximateNumberOfMessages'])).toStrictEqual({
      ApproximateNumberOfMessages: '0',
    });
    f.clock.now = T0 + 5;
    const [dead] = await f.service.receiveMessage('dlq', {
      attributeNames: ['All'],
      messageAttributeNames: ['All'],
    });
    expect(dead).toMatchObject({
      messageId,
      body: 'poison',
      messageAttributes: { k: { dataType: 'String', stringValue: 'v' } },
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: String(T0),
        DeadLetterQueueSourceArn: queueArnOf('src'),
      },
    });
  });

  it('answers the next healthy message in the same receive', async () => {
    await f.service.createQueue({ name: 'src', attributes: { RedrivePolicy: policy('dlq', 1) } });
    await f.service.sendMessage('src', { body: 'poison' });
    await f.service.receiveMessage('src', { visibilityTimeout: 0 });
    await f.service.sendMessage('src', { body: 'healthy' });
    expect(
      (await f.service.receiveMessage('src', { maxNumberOfMessages: 10 })).map((m) => m.body),
    ).toStrictEqual(['healthy']);
    expect((await f.service.receiveMessage('dlq', {})).map((m) => m.body)).toStrictEqual(['poison']);
  });

  it('FIFO: moves the head of a group to a FIFO dead-letter queue and serves the rest of the group in order', async () => {
    await f.service.createQueue({ name: 'dlq.fifo', attributes: { FifoQueue: 'true' } });
    await f.service.createQueue({
      name: 'src.fifo',
      attributes: { FifoQueue: 'true', RedrivePolicy: policy('dlq.fifo', 1) },
    });
    for (const body of ['1', '2', '3']) {
      await f.service.sendMessage('src.fifo', { body, messageGroupId: 'g', messageDeduplicationId: body });
    }
    await f.service.receiveMessage('src.fifo', { visibilityTimeout: 0 });
    expect(
      (await f.service.receiveMessage('src.fifo', { maxNumberOfMessages: 10 })).map((m) => m.body),
    ).toStrictEqual(['2', '3']);
    const [dead] = await f.service.receiveMessage('dlq.fifo', { attributeNames: ['MessageGroupId'] });
    expect(dead).toMatchObject({ body: '1', attributes: { MessageGroupId: 'g' } });
  });
});

describe('moveMessages', () => {
  it('moves every visible message back, oldest first, reporting progress', async () => {
    await f.service.createQueue({ name: 'src' });
    for (let i = 0; i < 5; i += 1) await f.service.sendMessage('dlq', { body: `m${i}` });
    const progress: Array<[number, number]> = [];
    const moved = await f.service.moveMessages({
      from: 'dlq',
      to: 'src',
      onProgress: (n, total) => progress.push([n, total]),
    });
    expect(moved).toBe(5);
    expect(progress.at(-1)).toStrictEqual([5, 5]);
    expect(
      (await f.service.receiveMessage('src', { maxNumberOfMessages: 10 })).map((m) => m.body),
    ).toStrictEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
  });

  it('moves at most max messages, and none of those in flight', async () => {
    await f.service.createQueue({ name: 'src' });
    for (let i = 0; i < 4; i += 1) await f.service.sendMessage('dlq', { body: `m${i}` });
    await f.service.receiveMessage('dlq', {});
    expect(await f.service.moveMessages({ from: 'dlq', to: 'src', max: 2 })).toBe(2);
    expect(await f.service.moveMessages({ from: 'dlq', to: 'src' })).toBe(1);
    expect(await f.service.getQueueAttributes('dlq', ['All'])).toMatchObject({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '1',
    });
    expect((await sqsErrorOf(f.service.moveMessages({ from: 'dlq', to: 'src', max: 0 }))).sqsCode).toBe(
      'InvalidParameterValue',
    );
  });
});
