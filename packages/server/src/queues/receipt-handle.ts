/**
 * Receipt handles: the base64 of `1 <queue> <message id> <token>` (space-separated; none of the three
 * can contain a space). The token is the 128-bit random secret the store sets at each receive, so a
 * handle cannot be forged from a message id, and only the latest receive's handle acts on a message.
 * The queue name lets DeleteMessage tell a handle of another queue apart from a stale one.
 *
 * Rejected (ReceiptHandleIsInvalid) only when it is not a handle this format could have produced;
 * a well-formed handle whose message was deleted, moved or received again is the store's business.
 */
const VERSION = '1';
const QUEUE_NAME = /^[A-Za-z0-9_.-]{1,80}$/;
const PART = /^[A-Za-z0-9_-]{1,128}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export interface ReceiptHandleParts {
  queueName: string;
  messageId: string;
  token: string;
}

export function encodeReceiptHandle(parts: ReceiptHandleParts): string {
  return Buffer.from(`${VERSION} ${parts.queueName} ${parts.messageId} ${parts.token}`, 'utf8').toString(
    'base64',
  );
}

/** The parts of a handle, or undefined when the text is not a receipt handle. */
export function decodeReceiptHandle(handle: string): ReceiptHandleParts | undefined {
  if (handle.length > 1024 || !BASE64.test(handle)) return undefined;
  const text = Buffer.from(handle, 'base64').toString('utf8');
  // Base64 decoding skips what it cannot read: a handle is only ours if it re-encodes to itself.
  if (Buffer.from(text, 'utf8').toString('base64') !== handle) return undefined;
  const [version, queueName, messageId, token, ...rest] = text.split(' ');
  if (version !== VERSION || rest.length > 0) return undefined;
  if (queueName === undefined || !QUEUE_NAME.test(queueName)) return undefined;
  if (messageId === undefined || !PART.test(messageId)) return undefined;
  if (token === undefined || !PART.test(token)) return undefined;
  return { queueName, messageId, token };
}
