/**
 * FIFO queues: order within a message group across several groups, one group held back while one of
 * its messages is in flight, deduplication by MessageDeduplicationId or content within 5 minutes (on
 * the test clock) and not after, sequence numbers, and the FIFO-only rules of SendMessage.
 */
import { createHash } from 'node:crypto';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { DEDUPLICATION_WINDOW_MS } from '../../src/queues/queue-service.js';
import { createQueueFixture, sqsErrorOf, T0, type QueueFixture } from './queue-fixture.js';

let f: QueueFixture;
beforeEach(async () => {
  f = createQueueFixture();
  await f.service.createQueue({ name: 'q.fifo', attributes: { FifoQueue: 'true' } });
  await f.service.createQueue({
    name: 'content.fifo',
    attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'true' },
  });
});
afterEach(async () => {
  await f.close();
});

const send = (body: string, group: string, dedup = body, queue = 'q.fifo') =>
  f.service.sendMessage(queue, { body, messageGroupId: group, messageDeduplicationId: dedup });

/** Receives everything receivable, deleting it, until nothing comes: the order messages are processed. */
async function drain(queue = 'q.fifo', maxNumberOfMessages = 10): Promise<string[]> {
  const order: string[] = [];
  for (;;) {
    const batch = await f.service.receiveMessage(queue, { maxNumberOfMessages });
    if (batch.length === 0) return order;
    for (const m of batch) {
      order.push(m.body);
      await f.service.deleteMessage(queue, m.receiptHandle);
    }
  }
}

describe('ordering', () => {
  it('keeps each group in send order across several interleaved groups', async () => {
    const groups = ['a', 'b', 'c'];
    for (let i = 0; i < 6; i += 1) for (const g of groups) await send(`${g}${i}`, g);
    for (const size of [1, 4]) {
      if (size === 4)
        for (let i = 0; i < 6; i += 1) for (const g of groups) await send(`${g}${i}`, g, `${g}${i}-again`);
      const order = await drain('q.fifo', size);
      expect(order).toHaveLength(18);
      for (const g of groups) {
        expect(order.filter((body) => body.startsWith(g))).toStrictEqual(
          Array.from({ length: 6 }, (_, i) => `${g}${i}`),
        );
      }
    }
  });

  it('holds a group back while one of its messages is in flight, and serves other groups', async () => {
    await send('a1', 'a');
    await send('a2', 'a');
    await send('b1', 'b');
    const [a1] = await f.service.receiveMessage('q.fifo', {});
    expect(a1?.body).toBe('a1');
    expect(
      (await f.service.receiveMessage('q.fifo', { maxNumberOfMessages: 10 })).map((m) => m.body),
    ).toStrictEqual(['b1']);
    expect(await f.service.receiveMessage('q.fifo', { maxNumberOfMessages: 10 })).toStrictEqual([]);
    // Not deleted in time: a1 comes back before a2, and b1 comes back too.
    f.clock.now = T0 + 30_000;
    expect(
      (await f.service.receiveMessage('q.fifo', { maxNumberOfMessages: 10 })).map((m) => m.body),
    ).toStrictEqual(['a1', 'a2', 'b1']);
  });

  it('returns MessageGroupId, MessageDeduplicationId and growing SequenceNumbers', async () => {
    const first = await send('one', 'g', 'd1');
    const second = await send('two', 'g', 'd2');
    expect(first.sequenceNumber).toMatch(/^\d{20}$/);
    expect(second.sequenceNumber! > first.sequenceNumber!).toBe(true);
    const [m] = await f.service.receiveMessage('q.fifo', { attributeNames: ['All'] });
    expect(m?.attributes).toMatchObject({
      MessageGroupId: 'g',
      MessageDeduplicationId: 'd1',
      SequenceNumber: first.sequenceNumber,
      ApproximateReceiveCount: '1',
    });
  });
});

describe('deduplication', () => {
  it('accepts a repeated MessageDeduplicationId within 5 minutes without storing it, answering the first id', async () => {
    const first = await send('original', 'g', 'same');
    f.clock.now = T0 + DEDUPLICATION_WINDOW_MS - 1;
    const repeat = await send('different body', 'other-group', 'same');
    expect(repeat.messageId).toBe(first.messageId);
    expect(repeat.sequenceNumber).toBe(first.sequenceNumber);
    expect(await drain()).toStrictEqual(['original']);
  });

  it('deduplicates even after the first message was received and deleted, and stops after the window', async () => {
    const first = await send('x', 'g', 'd');
    expect(await drain()).toStrictEqual(['x']);
    f.clock.now = T0 + 60_000;
    expect((await send('x', 'g', 'd')).messageId).toBe(first.messageId);
    expect(await drain()).toStrictEqual([]);
    f.clock.now = T0 + DEDUPLICATION_WINDOW_MS;
    const later = await send('x', 'g', 'd');
    expect(later.messageId).not.toBe(first.messageId);
    expect(await drain()).toStrictEqual(['x']);
  });

  it('deduplicates within one batch', async () => {
    const result = await f.service.sendMessageBatch('q.fifo', [
      { id: 'a', body: '1', messageGroupId: 'g', messageDeduplicationId: 'd' },
      { id: 'b', body: '2', messageGroupId: 'g', messageDeduplicationId: 'd' },
    ]);
    expect(result.successful[1]?.messageId).toBe(result.successful[0]?.messageId);
    expect(await drain()).toStrictEqual(['1']);
  });

  it('uses the SHA-256 of the body with ContentBasedDeduplication, and an explicit id over it', async () => {
    const send2 = (body: string, dedup?: string) =>
      f.service.sendMessage('content.fifo', {
        body,
        messageGroupId: 'g',
        ...(dedup === undefined ? {} : { messageDeduplicationId: dedup }),
      });
    const first = await send2('{"a":1}');
    expect((await send2('{"a":1}')).messageId).toBe(first.messageId);
    expect((await send2('{"a":1}', 'explicit')).messageId).not.toBe(first.messageId);
    const [m] = await f.service.receiveMessage('content.fifo', {
      attributeNames: ['MessageDeduplicationId'],
    });
    expect(m?.attributes?.MessageDeduplicationId).toBe(createHash('sha256').update('{"a":1}').digest('hex'));
  });

  it('deduplicates per message group when DeduplicationScope is messageGroup', async () => {
    await f.service.createQueue({
      name: 'groups.fifo',
      attributes: {
        FifoQueue: 'true',
        DeduplicationScope: 'messageGroup',
        FifoThroughputLimit: 'perMessageGroupId',
      },
    });
    await send('a', 'g1', 'd', 'groups.fifo');
    await send('b', 'g2', 'd', 'groups.fifo');
    await send('c', 'g1', 'd', 'groups.fifo');
    expect((await drain('groups.fifo')).sort()).toStrictEqual(['a', 'b']);
  });
});

describe('FIFO send rules', () => {
  it('requires a MessageGroupId', async () => {
    expect(
      await sqsErrorOf(f.service.sendMessage('q.fifo', { body: 'x', messageDeduplicationId: 'd' })),
    ).toStrictEqual({
      sqsCode: 'MissingParameter',
      message: 'The request must contain the parameter MessageGroupId.',
    });
  });

  it('requires a MessageDeduplicationId without ContentBasedDeduplication', async () => {
    expect(
      await sqsErrorOf(f.service.sendMessage('q.fifo', { body: 'x', messageGroupId: 'g' })),
    ).toStrictEqual({
      sqsCode: 'InvalidParameterValue',
      message:
        'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
    });
  });

  it('refuses a per-message DelaySeconds, but lets 0 through', async () => {
    const input = { body: 'x', messageGroupId: 'g', messageDeduplicationId: 'd' };
    expect(await sqsErrorOf(f.service.sendMessage('q.fifo', { ...input, delaySeconds: 5 }))).toStrictEqual({
      sqsCode: 'InvalidParameterValue',
      message:
        'Value 5 for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.',
    });
    await f.service.sendMessage('q.fifo', { ...input, delaySeconds: 0 });
  });

  it('refuses group and deduplication ids that are too long or hold other characters', async () => {
    for (const bad of ['', 'x'.repeat(129), 'tab\there', 'é']) {
      expect((await sqsErrorOf(send('x', bad))).sqsCode).toBe('InvalidParameterValue');
      expect((await sqsErrorOf(send('x', 'g', bad))).sqsCode).toBe('InvalidParameterValue');
    }
    await send('x', `!"#$%&'()*+,-./:;<=>?@[\\]^_\`{|}~`, 'x'.repeat(128));
  });

  it('applies the queue DelaySeconds to FIFO messages', async () => {
    await f.service.createQueue({ name: 'slow.fifo', attributes: { FifoQueue: 'true', DelaySeconds: '10' } });
    await send('x', 'g', 'd', 'slow.fifo');
    expect(await drain('slow.fifo')).toStrictEqual([]);
    f.clock.now = T0 + 10_000;
    expect(await drain('slow.fifo')).toStrictEqual(['x']);
  });

  it('stops a receipt handle from deleting once its visibility timeout ended', async () => {
    await send('x', 'g');
    const [m] = await f.service.receiveMessage('q.fifo', {});
    f.clock.now = T0 + 30_000;
    expect(await sqsErrorOf(f.service.deleteMessage('q.fifo', m!.receiptHandle))).toStrictEqual({
      sqsCode: 'InvalidParameterValue',
      message: `Value ${m!.receiptHandle} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.`,
    });
    expect(await drain()).toStrictEqual(['x']);
  });
});
