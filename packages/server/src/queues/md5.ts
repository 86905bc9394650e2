/**
 * The digests SQS returns with SendMessage and ReceiveMessage, which AWS SDKs recompute and compare (the
 * JavaScript v3 SDK checks the body; Java, .NET, Kotlin and others check the attributes too), so they
 * must match SQS's algorithm byte for byte.
 *
 * Message attributes (and message system attributes, the same way): attributes sorted by name; for
 * each, the name, the data type, then a one-byte transport type (1 for a StringValue, which String and
 * Number types use; 2 for a BinaryValue) and the value, where every name, type and value is written as
 * a 4-byte big-endian length followed by its bytes (UTF-8 text; binary values decoded from base64).
 * The MD5 of that byte string, in lowercase hex. Documented in the SQS Developer Guide ("Calculating the
 * MD5 message digest for message attributes").
 */
import { createHash } from 'node:crypto';

import type { MessageAttributeValue } from './types.js';

const STRING_TRANSPORT = 1;
const BINARY_TRANSPORT = 2;

export function md5OfBody(body: string): string {
  return createHash('md5').update(body, 'utf8').digest('hex');
}

/** The digest of a set of attributes; undefined when there is none (SQS then omits the field). */
export function md5OfMessageAttributes(
  attributes: Readonly<Record<string, MessageAttributeValue>> | undefined,
): string | undefined {
  if (attributes === undefined) return undefined;
  // Names are ASCII (checked on send), so code-unit order is the byte order SQS sorts by.
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return undefined;
  const hash = createHash('md5');
  const writeWithLength = (bytes: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    hash.update(length);
    hash.update(bytes);
  };
  for (const name of names) {
    const attribute = attributes[name];
    if (attribute === undefined) continue;
    writeWithLength(Buffer.from(name, 'utf8'));
    writeWithLength(Buffer.from(attribute.dataType, 'utf8'));
    if (attribute.stringValue !== undefined) {
      hash.update(Buffer.of(STRING_TRANSPORT));
      writeWithLength(Buffer.from(attribute.stringValue, 'utf8'));
    } else if (attribute.binaryValue !== undefined) {
      hash.update(Buffer.of(BINARY_TRANSPORT));
      writeWithLength(Buffer.from(attribute.binaryValue, 'base64'));
    }
  }
  return hash.digest('hex');
}
