/**
 * The MD5 digests SDKs check: recomputed here with node:crypto following SQS's documented algorithm,
 * compared with published reference values, and fed to @aws-sdk/client-sqs's own checksum middleware.
 */
import { createHash } from 'node:crypto';

import { receiveMessageMiddleware, sendMessageMiddleware } from '@aws-sdk/middleware-sdk-sqs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { md5OfBody, md5OfMessageAttributes } from '../../src/queues/md5.js';
import type { MessageAttributeValue } from '../../src/queues/types.js';
import { createQueueFixture, type QueueFixture } from './queue-fixture.js';

/** SQS's algorithm, written out independently of src/queues/md5.ts (SQS Developer Guide). */
function referenceMd5(attributes: Record<string, MessageAttributeValue>): string {
  const parts: Buffer[] = [];
  const lengthPrefixed = (bytes: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length, 0);
    parts.push(length, bytes);
  };
  for (const name of Object.keys(attributes).sort()) {
    const { dataType, stringValue, binaryValue } = attributes[name]!;
    lengthPrefixed(Buffer.from(name));
    lengthPrefixed(Buffer.from(dataType));
    if (stringValue !== undefined) {
      parts.push(Buffer.from([1]));
      lengthPrefixed(Buffer.from(stringValue));
    } else {
      parts.push(Buffer.from([2]));
      lengthPrefixed(Buffer.from(binaryValue!, 'base64'));
    }
  }
  return createHash('md5').update(Buffer.concat(parts)).digest('hex');
}

const SAMPLES: Record<string, Record<string, MessageAttributeValue>> = {
  string: { attribName1: { dataType: 'String', stringValue: 'attribValue 1' } },
  customNumber: {
    customNumberTypeAttrib: {
      dataType: 'Number.float',
      stringValue: '4563442423554324324264524243.32543234',
    },
  },
  binary: {
    binaryAttribute: {
      dataType: 'Binary',
      binaryValue: Buffer.from('Hello binary world!').toString('base64'),
    },
  },
  unicode: {
    'z-last': { dataType: 'String.é', stringValue: 'ünïcødé 🌍' },
    A: { dataType: 'Number', stringValue: '1' },
  },
};

describe('md5OfMessageAttributes', () => {
  it.each(Object.keys(SAMPLES))('follows the documented algorithm (%s)', (sample) => {
    expect(md5OfMessageAttributes(SAMPLES[sample])).toBe(referenceMd5(SAMPLES[sample]!));
  });

  it('matches published reference digests (npm aws-md5-of-message-attributes)', () => {
    expect(md5OfMessageAttributes(SAMPLES.string)).toBe('19e27d4e946b072f3f58da80d94fd778');
    expect(md5OfMessageAttributes(SAMPLES.customNumber)).toBe('9fe1b90bbd9965bdf77bac517c7d2495');
    expect(md5OfMessageAttributes(SAMPLES.binary)).toBe('31a92b15d92f8db860eda32aceb656c3');
    expect(md5OfMessageAttributes({ ...SAMPLES.string, ...SAMPLES.customNumber, ...SAMPLES.binary })).toBe(
      'c932db14a896c663f83c260297d594ff',
    );
  });

  it('does not depend on the order attributes were given in, and is absent without attributes', () => {
    const [a, b] = Object.entries(SAMPLES.unicode!);
    expect(md5OfMessageAttributes(Object.fromEntries([b!, a!]))).toBe(
      md5OfMessageAttributes(Object.fromEntries([a!, b!])),
    );
    expect(md5OfMessageAttributes({})).toBeUndefined();
    expect(md5OfMessageAttributes(undefined)).toBeUndefined();
  });
});

describe('the digests the service answers', () => {
  let f: QueueFixture;
  beforeEach(async () => {
    f = createQueueFixture();
    await f.service.createQueue({ name: 'q' });
  });
  afterEach(async () => {
    await f.close();
  });

  /** The hash constructor the SDK's middleware takes (`md5` in the client config). */
  class NodeMd5 {
    readonly #hash = createHash('md5');
    update(data: Uint8Array | string) {
      this.#hash.update(data);
    }
    async digest() {
      return new Uint8Array(this.#hash.digest());
    }
  }

  it('pass the checks of @aws-sdk/client-sqs on SendMessage and ReceiveMessage', async () => {
    const body = 'héllo\n🌍 <xml & "quotes">';
    const messageAttributes = { ...SAMPLES.string, ...SAMPLES.binary, ...SAMPLES.unicode };
    const sent = await f.service.sendMessage('q', { body, messageAttributes });
    expect(sent.md5OfMessageBody).toBe(md5OfBody(body));
    expect(sent.md5OfMessageAttributes).toBe(referenceMd5(messageAttributes));

    const send = sendMessageMiddleware({ md5: NodeMd5 } as never)(
      async () => ({
        output: { MD5OfMessageBody: sent.md5OfMessageBody, $metadata: {} },
        response: {},
      }),
      {} as never,
    );
    await expect(send({ input: { MessageBody: body } } as never)).resolves.toBeDefined();

    const [m] = await f.service.receiveMessage('q', { messageAttributeNames: ['All'] });
    expect(m?.md5OfMessageAttributes).toBe(referenceMd5(messageAttributes));
    const receive = receiveMessageMiddleware({ md5: NodeMd5 } as never)(
      async () => ({
        output: {
          Messages: [{ MessageId: m!.messageId, Body: m!.body, MD5OfBody: m!.md5OfBody }],
          $metadata: {},
        },
        response: {},
      }),
      {} as never,
    );
    await expect(receive({ input: {} } as never)).resolves.toBeDefined();
    // The middleware does check: a wrong digest fails.
    const wrong = receiveMessageMiddleware({ md5: NodeMd5 } as never)(
      async () => ({
        output: {
          Messages: [{ MessageId: 'x', Body: m!.body, MD5OfBody: md5OfBody('other') }],
          $metadata: {},
        },
        response: {},
      }),
      {} as never,
    );
    await expect(wrong({ input: {} } as never)).rejects.toThrow(/Invalid MD5 checksum/);
  });
});
