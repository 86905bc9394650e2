/**
 * Long polling: a receive with WaitTimeSeconds answers the moment a message can be had (a send, a
 * visibility change, a delay or visibility timeout ending, a dead letter arriving), not on a poll tick,
 * and ends on abort, close or deletion of its queue. Every test starts a 20-second wait and awaits its
 * answer: a receive that only answered at the end of its wait would fail the test by its 5-second
 * timeout, so no test measures time.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createQueueFixture, T0, type QueueFixture } from './queue-fixture.js';

let f: QueueFixture;
beforeEach(async () => {
  f = createQueueFixture();
  await f.service.createQueue({ name: 'q' });
});
afterEach(async () => {
  await f.close();
});

const longPoll = (name = 'q', fields = {}, signal?: AbortSignal) =>
  f.service.receiveMessage(name, { waitTimeSeconds: 20, maxNumberOfMessages: 10, ...fields }, signal);

describe('long polling', () => {
  it('answers as soon as a message is sent', async () => {
    const asleep = f.nextWait('q');
    const pending = longPoll();
    await asleep;
    await f.service.sendMessage('q', { body: 'hello' });
    expect((await pending).map((m) => m.body)).toStrictEqual(['hello']);
  });

  it('answers at once when a message is already there', async () => {
    await f.service.sendMessage('q', { body: 'waiting' });
    expect((await longPoll()).map((m) => m.body)).toStrictEqual(['waiting']);
  });

  it('waits for the queue ReceiveMessageWaitTimeSeconds when the request gives no wait time', async () => {
    await f.service.createQueue({ name: 'lp', attributes: { ReceiveMessageWaitTimeSeconds: '20' } });
    const asleep = f.nextWait('lp');
    const pending = f.service.receiveMessage('lp', {});
    await asleep;
    await f.service.sendMessageBatch('lp', [{ id: '1', body: 'batch' }]);
    expect((await pending).map((m) => m.body)).toStrictEqual(['batch']);
  });

  it('gives one message to one of two waiting receivers, and the next to the other', async () => {
    const bothAsleep = Promise.all([f.nextWait('q'), f.nextWait('q')]);
    const first = longPoll('q', { maxNumberOfMessages: 1 });
    const second = longPoll('q', { maxNumberOfMessages: 1 });
    await bothAsleep;
    const oneAsleepAgain = f.nextWait('q');
    await f.service.sendMessage('q', { body: 'one' });
    await oneAsleepAgain;
    await f.service.sendMessage('q', { body: 'two' });
    const bodies = [...(await first), ...(await second)].map((m) => m.body).sort();
    expect(bodies).toStrictEqual(['one', 'two']);
  });

  it('answers when ChangeMessageVisibility makes an in-flight message visible', async () => {
    await f.service.sendMessage('q', { body: 'x' });
    const [m] = await f.service.receiveMessage('q', {});
    const asleep = f.nextWait('q');
    const pending = longPoll();
    await asleep;
    await f.service.changeMessageVisibility('q', m!.receiptHandle, 0);
    expect((await pending).map((r) => r.messageId)).toStrictEqual([m!.messageId]);
  });

  it('answers when a visibility timeout ends, on a timer set for that moment', async () => {
    await f.service.sendMessage('q', { body: 'x' });
    await f.service.receiveMessage('q', { visibilityTimeout: 1 });
    // One millisecond before the end on the service clock: the poll sleeps until then and looks again.
    f.clock.now = T0 + 999;
    const asleep = f.nextWait('q');
    const pending = longPoll();
    await asleep;
    f.clock.now = T0 + 1000;
    const [again] = await pending;
    expect(again?.attributes).toBeUndefined();
    expect(again?.body).toBe('x');
  });

  it('answers when a delayed message becomes visible', async () => {
    await f.service.sendMessage('q', { body: 'later', delaySeconds: 1 });
    f.clock.now = T0 + 999;
    const asleep = f.nextWait('q');
    const pending = longPoll();
    await asleep;
    f.clock.now = T0 + 1000;
    expect((await pending).map((m) => m.body)).toStrictEqual(['later']);
  });

  it('answers a dead-letter queue waiter when a receive on the source moves a message to it', async () => {
    await f.service.createQueue({ name: 'dlq' });
    await f.service.setQueueAttributes('q', {
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: 'arn:aws:sqs:eu-west-1:123456789012:dlq',
        maxReceiveCount: 1,
      }),
    });
    await f.service.sendMessage('q', { body: 'poison' });
    await f.service.receiveMessage('q', { visibilityTimeout: 0 });
    const asleep = f.nextWait('dlq');
    const pending = longPoll('dlq');
    await asleep;
    expect(await f.service.receiveMessage('q', {})).toStrictEqual([]);
    expect((await pending).map((m) => m.body)).toStrictEqual(['poison']);
  });

  it('FIFO: answers when the in-flight message holding back its group is deleted', async () => {
    await f.service.createQueue({ name: 'q.fifo', attributes: { FifoQueue: 'true' } });
    for (const id of ['1', '2']) {
      await f.service.sendMessage('q.fifo', { body: id, messageGroupId: 'g', messageDeduplicationId: id });
    }
    const [first] = await f.service.receiveMessage('q.fifo', {});
    const asleep = f.nextWait('q.fifo');
    const pending = longPoll('q.fifo');
    await asleep;
    await f.service.deleteMessage('q.fifo', first!.receiptHandle);
    expect((await pending).map((m) => m.body)).toStrictEqual(['2']);
  });

  it('ends with no messages when its signal aborts, and receives nothing afterwards', async () => {
    const controller = new AbortController();
    const asleep = f.nextWait('q');
    const pending = longPoll('q', {}, controller.signal);
    await asleep;
    controller.abort();
    expect(await pending).toStrictEqual([]);
    await f.service.sendMessage('q', { body: 'kept' });
    expect((await f.service.receiveMessage('q', {})).map((m) => m.body)).toStrictEqual(['kept']);
    // Already aborted: no look at the queue at all.
    expect(await longPoll('q', {}, controller.signal)).toStrictEqual([]);
  });

  it('ends with no messages on close()', async () => {
    const asleep = f.nextWait('q');
    const pending = longPoll();
    await asleep;
    f.service.close();
    expect(await pending).toStrictEqual([]);
  });

  it('ends with no messages when its queue is deleted', async () => {
    const asleep = f.nextWait('q');
    const pending = longPoll();
    await asleep;
    await f.service.deleteQueue('q');
    expect(await pending).toStrictEqual([]);
  });

  it('returns an empty answer at once with WaitTimeSeconds 0', async () => {
    expect(await f.service.receiveMessage('q', { waitTimeSeconds: 0 })).toStrictEqual([]);
  });
});

describe('long polling on the real clock', () => {
  it('answers when a 1-second visibility timeout ends', async () => {
    const real = createQueueFixture({ realClock: true });
    try {
      await real.service.createQueue({ name: 'q' });
      await real.service.sendMessage('q', { body: 'x' });
      const [first] = await real.service.receiveMessage('q', { visibilityTimeout: 1 });
      const [again] = await real.service.receiveMessage('q', {
        waitTimeSeconds: 20,
        attributeNames: ['All'],
      });
      expect(again?.messageId).toBe(first?.messageId);
      expect(again?.attributes?.ApproximateReceiveCount).toBe('2');
    } finally {
      await real.close();
    }
  });
});
