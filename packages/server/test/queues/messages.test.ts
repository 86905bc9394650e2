/**
 * Sending, receiving, deleting and changing visibility on standard queues: system and message
 * attributes, delays, visibility timeouts on the test clock, receipt handles, sizes, batches and
 * retention. Real SQLite store in memory.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { md5OfBody } from '../../src/queues/md5.js';
import { decodeReceiptHandle, encodeReceiptHandle } from '../../src/queues/receipt-handle.js';
import { ACCOUNT, createQueueFixture, sqsErrorOf, T0, type QueueFixture } from './queue-fixture.js';

let f: QueueFixture;
beforeEach(async () => {
  f = createQueueFixture();
  await f.service.createQueue({ name: 'q' });
});
afterEach(async () => {
  await f.close();
});

const receiveAll = (name = 'q', fields = {}) =>
  f.service.receiveMessage(name, { maxNumberOfMessages: 10, attributeNames: ['All'], ...fields });

describe('send and receive', () => {
  it('answers a message id and the body MD5; receives the body with system attributes', async () => {
    const sent = await f.service.sendMessage('q', { body: 'hello 🌍' });
    expect(sent).toStrictEqual({ messageId: expect.any(String), md5OfMessageBody: md5OfBody('hello 🌍') });
    expect(sent.messageId).toMatch(/^[0-9a-f-]{36}$/);
    f.clock.now = T0 + 250;
    const [message] = await receiveAll();
    expect(message).toStrictEqual({
      messageId: sent.messageId,
      receiptHandle: expect.any(String),
      body: 'hello 🌍',
      md5OfBody: md5OfBody('hello 🌍'),
      attributes: {
        ApproximateReceiveCount: '1',
        ApproximateFirstReceiveTimestamp: String(T0 + 250),
        SentTimestamp: String(T0),
        SenderId: ACCOUNT,
      },
    });
  });

  it('returns only the system attributes asked for, and none when none are', async () => {
    await f.service.sendMessage('q', { body: 'x' });
    const [message] = await f.service.receiveMessage('q', {
      attributeNames: ['ApproximateReceiveCount', 'SequenceNumber', 'Unknown'],
    });
    expect(message?.attributes).toStrictEqual({ ApproximateReceiveCount: '1' });
    f.clock.now += 30_000;
    const [again] = await f.service.receiveMessage('q', {});
    expect(again).not.toHaveProperty('attributes');
  });

  it('returns message attributes by name, prefix or All, with the MD5 of those returned', async () => {
    const messageAttributes = {
      'order.id': { dataType: 'String', stringValue: '42' },
      'order.total': { dataType: 'Number', stringValue: '9.5' },
      blob: { dataType: 'Binary.gzip', binaryValue: 'AAECAw==' },
    };
    const sent = await f.service.sendMessage('q', { body: 'x', messageAttributes });
    expect(sent.md5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);
    const receive = async (names: string[]) => {
      const [m] = await f.service.receiveMessage('q', { messageAttributeNames: names });
      f.clock.now += 30_000;
      return m;
    };
    const all = await receive(['All']);
    expect(all?.messageAttributes).toStrictEqual(messageAttributes);
    expect(all?.md5OfMessageAttributes).toBe(sent.md5OfMessageAttributes);
    const prefixed = await receive(['order.*']);
    expect(Object.keys(prefixed?.messageAttributes ?? {}).sort()).toStrictEqual(['order.id', 'order.total']);
    expect(prefixed?.md5OfMessageAttributes).not.toBe(sent.md5OfMessageAttributes);
    expect((await receive(['.*']))?.messageAttributes).toStrictEqual(messageAttributes);
    expect((await receive(['blob']))?.messageAttributes).toStrictEqual({ blob: messageAttributes.blob });
    const none = await receive([]);
    expect(none).not.toHaveProperty('messageAttributes');
    expect(none).not.toHaveProperty('md5OfMessageAttributes');
  });

  it('keeps AWSTraceHeader as a system attribute with its own MD5', async () => {
    const sent = await f.service.sendMessage('q', {
      body: 'x',
      messageSystemAttributes: {
        AWSTraceHeader: { dataType: 'String', stringValue: 'Root=1-5759e988-bd862e3fe' },
      },
    });
    expect(sent.md5OfMessageSystemAttributes).toMatch(/^[0-9a-f]{32}$/);
    const [m] = await f.service.receiveMessage('q', { attributeNames: ['AWSTraceHeader'] });
    expect(m?.attributes).toStrictEqual({ AWSTraceHeader: 'Root=1-5759e988-bd862e3fe' });
    expect(
      (
        await sqsErrorOf(
          f.service.sendMessage('q', {
            body: 'x',
            messageSystemAttributes: { Other: { dataType: 'String', stringValue: 'v' } },
          }),
        )
      ).sqsCode,
    ).toBe('InvalidParameterValue');
  });

  it('returns at most MaxNumberOfMessages (1 by default), oldest first', async () => {
    for (let i = 0; i < 12; i += 1) await f.service.sendMessage('q', { body: `m${i}` });
    expect((await f.service.receiveMessage('q', {})).map((m) => m.body)).toStrictEqual(['m0']);
    expect((await receiveAll()).map((m) => m.body)).toStrictEqual([
      'm1',
      'm2',
      'm3',
      'm4',
      'm5',
      'm6',
      'm7',
      'm8',
      'm9',
      'm10',
    ]);
    expect((await receiveAll()).map((m) => m.body)).toStrictEqual(['m11']);
    expect(await receiveAll()).toStrictEqual([]);
  });

  it('refuses MaxNumberOfMessages outside 1-10, WaitTimeSeconds outside 0-20, VisibilityTimeout outside 0-43200', async () => {
    expect(await sqsErrorOf(f.service.receiveMessage('q', { maxNumberOfMessages: 11 }))).toStrictEqual({
      sqsCode: 'InvalidParameterValue',
      message:
        'Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.',
    });
    expect((await sqsErrorOf(f.service.receiveMessage('q', { maxNumberOfMessages: 0 }))).sqsCode).toBe(
      'InvalidParameterValue',
    );
    expect(await sqsErrorOf(f.service.receiveMessage('q', { waitTimeSeconds: 21 }))).toStrictEqual({
      sqsCode: 'InvalidParameterValue',
      message:
        'Value 21 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.',
    });
    expect((await sqsErrorOf(f.service.receiveMessage('q', { visibilityTimeout: 43201 }))).sqsCode).toBe(
      'InvalidParameterValue',
    );
  });
});

describe('visibility', () => {
  it('hides a received message for the visibility timeout, then returns it with one more receive', async () => {
    await f.service.createQueue({ name: 'short', attributes: { VisibilityTimeout: '10' } });
    const { messageId } = await f.service.sendMessage('short', { body: 'x' });
    const [first] = await receiveAll('short');
    f.clock.now = T0 + 9999;
    expect(await receiveAll('short')).toStrictEqual([]);
    f.clock.now = T0 + 10_000;
    const [second] = await receiveAll('short');
    expect(second?.messageId).toBe(messageId);
    expect(second?.attributes).toMatchObject({
      ApproximateReceiveCount: '2',
      ApproximateFirstReceiveTimestamp: String(T0),
    });
    expect(second?.receiptHandle).not.toBe(first?.receiptHandle);
  });

  it('takes the receive request VisibilityTimeout over the queue default; 0 leaves it visible', async () => {
    await f.service.sendMessage('q', { body: 'x' });
    await f.service.receiveMessage('q', { visibilityTimeout: 2 });
    f.clock.now = T0 + 1999;
    expect(await f.service.receiveMessage('q', {})).toStrictEqual([]);
    f.clock.now = T0 + 2000;
    expect(await f.service.receiveMessage('q', { visibilityTimeout: 0 })).toHaveLength(1);
    const [again] = await receiveAll();
    expect(again?.attributes?.ApproximateReceiveCount).toBe('3');
  });

  it('ChangeMessageVisibility extends or ends the timeout, up to 12 hours after the receive', async () => {
    await f.service.sendMessage('q', { body: 'x' });
    const [m] = await receiveAll();
    await f.service.changeMessageVisibility('q', m!.receiptHandle, 100);
    f.clock.now = T0 + 99_999;
    expect(await receiveAll()).toStrictEqual([]);
    await f.service.changeMessageVisibility('q', m!.receiptHandle, 0);
    const [again] = await receiveAll();
    expect(again?.body).toBe('x');
    f.clock.now = T0 + 100_000 + 3600_000;
    expect(
      await sqsErrorOf(f.service.changeMessageVisibility('q', again!.receiptHandle, 43_200)),
    ).toStrictEqual({
      sqsCode: 'InvalidParameterValue',
      message:
        'Value 43200 for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [43200 seconds].',
    });
    await f.service.changeMessageVisibility('q', again!.receiptHandle, 43_200 - 3600 - 101);
  });

  it('ChangeMessageVisibility refuses a stale handle, a deleted message and a bad timeout', async () => {
    await f.service.sendMessage('q', { body: 'x' });
    const [first] = await f.service.receiveMessage('q', { visibilityTimeout: 0 });
    const [second] = await f.service.receiveMessage('q', {});
    expect(await sqsErrorOf(f.service.changeMessageVisibility('q', first!.receiptHandle, 10))).toStrictEqual({
      sqsCode: 'InvalidParameterValue',
      message: `Value ${first!.receiptHandle} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.`,
    });
    expect(
      (await sqsErrorOf(f.service.changeMessageVisibility('q', second!.receiptHandle, -1))).sqsCode,
    ).toBe('InvalidParameterValue');
    await f.service.deleteMessage('q', second!.receiptHandle);
    expect(await sqsErrorOf(f.service.changeMessageVisibility('q', second!.receiptHandle, 10))).toStrictEqual(
      {
        sqsCode: 'InvalidParameterValue',
        message: `Value ${second!.receiptHandle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.`,
      },
    );
  });
});

describe('delete and receipt handles', () => {
  it('deletes with the latest handle; an older one succeeds without deleting, as in SQS', async () => {
    await f.service.sendMessage('q', { body: 'x' });
    const [first] = await f.service.receiveMessage('q', { visibilityTimeout: 0 });
    const [second] = await f.service.receiveMessage('q', { visibilityTimeout: 0 });
    await f.service.deleteMessage('q', first!.receiptHandle);
    expect(await receiveAll()).toHaveLength(1);
    f.clock.now += 30_000;
    const [third] = await receiveAll();
    // The handle of the second receive is stale too now; the third one deletes.
    await f.service.deleteMessage('q', second!.receiptHandle);
    await f.service.deleteMessage('q', third!.receiptHandle);
    f.clock.now += 30_000;
    expect(await receiveAll()).toStrictEqual([]);
    // Deleting a deleted message succeeds.
    await f.service.deleteMessage('q', third!.receiptHandle);
  });

  it('deletes with a handle whose visibility timeout ended, if nobody received the message since', async () => {
    await f.service.sendMessage('q', { body: 'x' });
    const [m] = await receiveAll();
    f.clock.now += 60_000;
    await f.service.deleteMessage('q', m!.receiptHandle);
    expect(await receiveAll()).toStrictEqual([]);
  });

  it('refuses text that is no receipt handle, and a handle of another queue', async () => {
    await f.service.createQueue({ name: 'other' });
    await f.service.sendMessage('other', { body: 'x' });
    const [m] = await receiveAll('other');
    for (const handle of ['garbage', '', 'AQEB+/==', Buffer.from('1 q id').toString('base64')]) {
      expect(await sqsErrorOf(f.service.deleteMessage('q', handle))).toStrictEqual({
        sqsCode: 'ReceiptHandleIsInvalid',
        message: `The input receipt handle "${handle}" is not a valid receipt handle.`,
      });
    }
    expect(await sqsErrorOf(f.service.deleteMessage('q', m!.receiptHandle))).toStrictEqual({
      sqsCode: 'ReceiptHandleIsInvalid',
      message: `The receipt handle "${m!.receiptHandle}" is not valid for this queue.`,
    });
  });

  it('a forged handle (right message id, wrong token) deletes nothing', async () => {
    await f.service.sendMessage('q', { body: 'x' });
    const [m] = await receiveAll();
    const parts = decodeReceiptHandle(m!.receiptHandle)!;
    await f.service.deleteMessage('q', encodeReceiptHandle({ ...parts, token: 'A'.repeat(22) }));
    f.clock.now += 30_000;
    expect(await receiveAll()).toHaveLength(1);
  });
});

describe('message rules', () => {
  it('refuses an empty body and characters SQS does not allow', async () => {
    expect(await sqsErrorOf(f.service.sendMessage('q', { body: '' }))).toStrictEqual({
      sqsCode: 'MissingParameter',
      message: 'The request must contain the parameter MessageBody.',
    });
    expect(await sqsErrorOf(f.service.sendMessage('q', { body: 'a\u0001b' }))).toStrictEqual({
      sqsCode: 'InvalidMessageContents',
      message:
        "Invalid binary character '#x1' was found in the message body, the set of allowed characters is " +
        '#x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF',
    });
    expect((await sqsErrorOf(f.service.sendMessage('q', { body: 'lone \uD800 surrogate' }))).sqsCode).toBe(
      'InvalidMessageContents',
    );
    await f.service.sendMessage('q', { body: 'tab\tnew\nline\r 😀 \uFFFD' });
  });

  it('counts body and attribute names, types and values against the 256 KiB limit', async () => {
    const attributes = { name: { dataType: 'String', stringValue: 'value' } };
    // 4 + 6 + 5 bytes of attribute, 2 bytes per é.
    const fits = 'é'.repeat((262_144 - 15) / 2) + 'a';
    expect(Buffer.byteLength(fits) + 15).toBe(262_144);
    await f.service.sendMessage('q', { body: fits, messageAttributes: attributes });
    expect(
      await sqsErrorOf(f.service.sendMessage('q', { body: `${fits}a`, messageAttributes: attributes })),
    ).toStrictEqual({
      sqsCode: 'InvalidParameterValue',
      message: 'One or more parameters are invalid. Reason: Message must be shorter than 262144 bytes.',
    });
    // A binary value counts its decoded bytes: 1 + 6 + 262 137 + a body of 1.
    const binary = { b: { dataType: 'Binary', binaryValue: Buffer.alloc(262_144 - 8).toString('base64') } };
    await f.service.sendMessage('q', { body: 'x', messageAttributes: binary });
    expect(
      (await sqsErrorOf(f.service.sendMessage('q', { body: 'xy', messageAttributes: binary }))).sqsCode,
    ).toBe('InvalidParameterValue');
  });

  it('applies the queue MaximumMessageSize', async () => {
    await f.service.createQueue({ name: 'small', attributes: { MaximumMessageSize: '1024' } });
    await f.service.sendMessage('small', { body: 'x'.repeat(1024) });
    expect((await sqsErrorOf(f.service.sendMessage('small', { body: 'x'.repeat(1025) }))).message).toBe(
      'One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.',
    );
  });

  it.each([
    [
      { 'AWS.x': { dataType: 'String', stringValue: 'v' } },
      "Message (user) attribute name 'AWS.x' is reserved for use by SQS.",
    ],
    [{ '.x': { dataType: 'String', stringValue: 'v' } }, "Message (user) attribute name '.x' is invalid."],
    [
      { 'a..b': { dataType: 'String', stringValue: 'v' } },
      "Message (user) attribute name 'a..b' is invalid.",
    ],
    [{ 'a b': { dataType: 'String', stringValue: 'v' } }, "Message (user) attribute name 'a b' is invalid."],
    [
      { a: { dataType: '', stringValue: 'v' } },
      "The message attribute 'a' must contain non-empty message attribute type.",
    ],
    [
      { a: { dataType: 'Text', stringValue: 'v' } },
      "The type of message (user) attribute 'a' is invalid. You must use only the following supported type prefixes: Binary, Number, String.",
    ],
    [{ a: { dataType: 'String' } }, "The message attribute 'a' with type 'String' must use field 'String'."],
    [
      { a: { dataType: 'Binary', stringValue: 'v' } },
      "The message attribute 'a' with type 'Binary' must use field 'Binary'.",
    ],
    [
      { a: { dataType: 'String', stringValue: '' } },
      "The message attribute 'a' must contain non-empty message attribute value for message attribute type 'String'.",
    ],
    [
      { a: { dataType: 'Number', stringValue: 'twelve' } },
      "Can't cast the value of message (user) attribute 'a' to a number.",
    ],
  ])('refuses message attributes %j', async (messageAttributes, message) => {
    const error = await sqsErrorOf(f.service.sendMessage('q', { body: 'x', messageAttributes }));
    expect(error.sqsCode).toBe('InvalidParameterValue');
    expect(error.message.startsWith(message)).toBe(true);
  });

  it('refuses more than 10 message attributes', async () => {
    const messageAttributes = Object.fromEntries(
      Array.from({ length: 11 }, (_, i) => [`a${i}`, { dataType: 'String', stringValue: 'v' }]),
    );
    expect(await sqsErrorOf(f.service.sendMessage('q', { body: 'x', messageAttributes }))).toStrictEqual({
      sqsCode: 'InvalidParameterValue',
      message: 'Number of message attributes [11] exceeds the allowed maximum [10].',
    });
  });

  it('delays a message by DelaySeconds, or by the queue default', async () => {
    await f.service.createQueue({ name: 'slow', attributes: { DelaySeconds: '5' } });
    await f.service.sendMessage('slow', { body: 'queue default' });
    await f.service.sendMessage('slow', { body: 'own delay', delaySeconds: 2 });
    await f.service.sendMessage('slow', { body: 'none', delaySeconds: 0 });
    expect((await receiveAll('slow')).map((m) => m.body)).toStrictEqual(['none']);
    f.clock.now = T0 + 2000;
    expect((await receiveAll('slow')).map((m) => m.body)).toStrictEqual(['own delay']);
    f.clock.now = T0 + 5000;
    expect((await receiveAll('slow')).map((m) => m.body)).toStrictEqual(['queue default']);
    expect(await sqsErrorOf(f.service.sendMessage('q', { body: 'x', delaySeconds: 901 }))).toStrictEqual({
      sqsCode: 'InvalidParameterValue',
      message:
        'Value 901 for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.',
    });
  });

  it('refuses a MessageDeduplicationId on a standard queue, and keeps a MessageGroupId', async () => {
    expect(
      (await sqsErrorOf(f.service.sendMessage('q', { body: 'x', messageDeduplicationId: 'd' }))).message,
    ).toBe(
      'Value d for parameter MessageDeduplicationId is invalid. Reason: The request include parameter that is not valid for this queue type.',
    );
    await f.service.sendMessage('q', { body: 'x', messageGroupId: 'tenant-1' });
    const [m] = await receiveAll();
    expect(m?.attributes?.MessageGroupId).toBe('tenant-1');
    expect(m?.attributes).not.toHaveProperty('SequenceNumber');
  });
});

describe('batches', () => {
  it('sends valid entries in one go and reports the others by id, with SQS codes', async () => {
    const result = await f.service.sendMessageBatch(
      'q',
      [
        { id: 'a', body: 'first' },
        { id: 'bad', body: '' },
        { id: 'b', body: 'second', delaySeconds: 1 },
        { id: 'big', body: 'x'.repeat(300_000 - 100) },
      ].slice(0, 3),
    );
    expect(result.successful.map((s) => s.id)).toStrictEqual(['a', 'b']);
    expect(result.successful[0]).toMatchObject({
      md5OfMessageBody: md5OfBody('first'),
      messageId: expect.any(String),
    });
    expect(result.failed).toStrictEqual([
      {
        id: 'bad',
        code: 'MissingParameter',
        message: 'The request must contain the parameter MessageBody.',
        senderFault: true,
      },
    ]);
    f.clock.now = T0 + 1000;
    expect((await receiveAll()).map((m) => m.body)).toStrictEqual(['first', 'second']);
  });

  it('refuses empty, oversized, repeated-id and bad-id batches as a whole', async () => {
    expect(await sqsErrorOf(f.service.sendMessageBatch('q', []))).toStrictEqual({
      sqsCode: 'EmptyBatchRequest',
      message: 'There should be at least one SendMessageBatchRequestEntry in the request.',
    });
    const eleven = Array.from({ length: 11 }, (_, i) => ({ id: `e${i}`, body: 'x' }));
    expect(await sqsErrorOf(f.service.sendMessageBatch('q', eleven))).toStrictEqual({
      sqsCode: 'TooManyEntriesInBatchRequest',
      message: 'Maximum number of entries per request are 10. You have sent 11.',
    });
    expect(
      await sqsErrorOf(
        f.service.sendMessageBatch('q', [
          { id: 'x', body: '1' },
          { id: 'x', body: '2' },
        ]),
      ),
    ).toStrictEqual({ sqsCode: 'BatchEntryIdsNotDistinct', message: 'Id x repeated.' });
    expect((await sqsErrorOf(f.service.sendMessageBatch('q', [{ id: 'a.b', body: '1' }]))).sqsCode).toBe(
      'InvalidBatchEntryId',
    );
    const half = 'x'.repeat(131_073);
    expect(
      await sqsErrorOf(
        f.service.sendMessageBatch('q', [
          { id: 'a', body: half },
          { id: 'b', body: half },
        ]),
      ),
    ).toStrictEqual({
      sqsCode: 'BatchRequestTooLong',
      message: 'Batch requests cannot be longer than 262144 bytes. You have sent 262146 bytes.',
    });
    expect(await receiveAll()).toStrictEqual([]);
    expect((await sqsErrorOf(f.service.deleteMessageBatch('q', []))).message).toBe(
      'There should be at least one DeleteMessageBatchRequestEntry in the request.',
    );
    expect((await sqsErrorOf(f.service.changeMessageVisibilityBatch('q', []))).message).toBe(
      'There should be at least one ChangeMessageVisibilityBatchRequestEntry in the request.',
    );
  });

  it('deletes and changes visibility in batches, reporting bad handles per entry', async () => {
    for (const body of ['a', 'b', 'c']) await f.service.sendMessage('q', { body });
    const [a, b, c] = await receiveAll();
    const deleted = await f.service.deleteMessageBatch('q', [
      { id: '1', receiptHandle: a!.receiptHandle },
      { id: '2', receiptHandle: 'junk' },
    ]);
    expect(deleted.successful).toStrictEqual([{ id: '1' }]);
    expect(deleted.failed).toStrictEqual([
      {
        id: '2',
        code: 'ReceiptHandleIsInvalid',
        message: 'The input receipt handle "junk" is not a valid receipt handle.',
        senderFault: true,
      },
    ]);
    const changed = await f.service.changeMessageVisibilityBatch('q', [
      { id: 'b', receiptHandle: b!.receiptHandle, visibilityTimeout: 0 },
      { id: 'c', receiptHandle: c!.receiptHandle, visibilityTimeout: 50_000 },
    ]);
    expect(changed.successful).toStrictEqual([{ id: 'b' }]);
    expect(changed.failed).toMatchObject([{ id: 'c', code: 'InvalidParameterValue' }]);
    expect((await receiveAll()).map((m) => m.body)).toStrictEqual(['b']);
  });
});

describe('purge and retention', () => {
  it('purges every message, in flight or not', async () => {
    await f.service.sendMessage('q', { body: 'a' });
    await f.service.sendMessage('q', { body: 'b' });
    await f.service.receiveMessage('q', {});
    await f.service.purgeQueue('q');
    f.clock.now += 60_000;
    expect(await receiveAll()).toStrictEqual([]);
    expect(await f.service.getQueueAttributes('q', ['ApproximateNumberOfMessagesNotVisible'])).toStrictEqual({
      ApproximateNumberOfMessagesNotVisible: '0',
    });
  });

  it('drops messages older than MessageRetentionPeriod, neither returned nor counted', async () => {
    await f.service.createQueue({ name: 'brief', attributes: { MessageRetentionPeriod: '60' } });
    await f.service.sendMessage('brief', { body: 'old' });
    f.clock.now = T0 + 30_000;
    await f.service.sendMessage('brief', { body: 'young' });
    f.clock.now = T0 + 59_999;
    expect(await f.service.getQueueAttributes('brief', ['ApproximateNumberOfMessages'])).toStrictEqual({
      ApproximateNumberOfMessages: '2',
    });
    f.clock.now = T0 + 60_000;
    expect(await f.service.getQueueAttributes('brief', ['ApproximateNumberOfMessages'])).toStrictEqual({
      ApproximateNumberOfMessages: '1',
    });
    expect((await receiveAll('brief')).map((m) => m.body)).toStrictEqual(['young']);
    // A shorter retention set later applies to the messages already there.
    await f.service.setQueueAttributes('brief', { MessageRetentionPeriod: '60' });
    f.clock.now = T0 + 90_000;
    expect(
      await f.service.getQueueAttributes('brief', ['ApproximateNumberOfMessagesNotVisible']),
    ).toStrictEqual({
      ApproximateNumberOfMessagesNotVisible: '0',
    });
  });
});
