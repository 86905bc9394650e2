/** Receipt handles: what they carry, and which texts are refused as not being handles at all. */
import { describe, expect, it } from 'vitest';

import { decodeReceiptHandle, encodeReceiptHandle } from '../../src/queues/receipt-handle.js';

describe('receipt handles', () => {
  const parts = {
    queueName: 'orders.fifo',
    messageId: '0b5e6c1e-7a1f-4e0c-9a55-3f1f1d2f9c10',
    token: 'AbC_d-1234567890xyzXYZ',
  };

  it('round-trip the queue, message id and token, as base64', () => {
    const handle = encodeReceiptHandle(parts);
    expect(handle).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(decodeReceiptHandle(handle)).toStrictEqual(parts);
  });

  it('refuse texts no encoder produced', () => {
    const valid = encodeReceiptHandle(parts);
    const refused = [
      '',
      'not base64!',
      valid.slice(0, -1),
      `${valid}AAAA`,
      Buffer.from(`2 ${parts.queueName} ${parts.messageId} ${parts.token}`).toString('base64'),
      Buffer.from(`1 ${parts.queueName} ${parts.messageId}`).toString('base64'),
      Buffer.from(`1 bad/name ${parts.messageId} ${parts.token}`).toString('base64'),
      Buffer.from(`1 q id token extra`).toString('base64'),
      'A'.repeat(2000),
    ];
    for (const handle of refused) expect(decodeReceiptHandle(handle), handle).toBeUndefined();
  });
});
