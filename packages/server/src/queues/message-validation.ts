/**
 * What SendMessage accepts: the body's characters and size, message and system attributes, delays, and
 * the FIFO fields. Each check throws the SqsError SQS answers (per entry in a batch). Pure: the queue's
 * kind and attributes come in, a message ready to store comes out.
 */
import { createHash } from 'node:crypto';

import { MAX_DELAY_SECONDS } from './queue-attributes.js';
import {
  invalidMessageContents,
  invalidParameterValue,
  invalidValue,
  missingParameter,
} from './queue-errors.js';
import { md5OfBody, md5OfMessageAttributes } from './md5.js';
import type { MessageAttributeValue, SendMessageInput } from './types.js';

export const MAX_MESSAGE_ATTRIBUTES = 10;
const MAX_ATTRIBUTE_NAME_LENGTH = 256;
const MAX_DATA_TYPE_LENGTH = 256;

/**
 * Characters SQS accepts in bodies and string values: XML 1.0's `#x9 | #xA | #xD | #x20-#xD7FF |
 * #xE000-#xFFFD | #x10000-#x10FFFF`. With the `u` flag a lone surrogate is a code point of its own
 * (U+D800-U+DFFF) and is refused too.
 */
const INVALID_CHARACTER = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const ALLOWED_CHARACTERS = '#x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF';

/** MessageGroupId and MessageDeduplicationId: 1-128 alphanumeric or punctuation characters. */
const FIFO_ID = /^[A-Za-z0-9!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]{1,128}$/;
const ATTRIBUTE_NAME = /^[A-Za-z0-9_.-]+$/;
const DATA_TYPE = /^(String|Number|Binary)(\.[^\s]+)?$/;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** A message checked and ready for the store, with the digests SendMessage answers. */
export interface PreparedMessage {
  body: string;
  messageAttributes?: Record<string, MessageAttributeValue>;
  systemAttributes?: Record<string, MessageAttributeValue>;
  groupId?: string;
  deduplicationId?: string;
  delaySeconds: number;
  /** Bytes counted against MaximumMessageSize and the batch limit. */
  size: number;
  md5OfMessageBody: string;
  md5OfMessageAttributes?: string;
  md5OfMessageSystemAttributes?: string;
}

export interface MessageQueueContext {
  fifo: boolean;
  /** The queue's attributes as stored (defaults filled in). */
  attributes: Readonly<Record<string, string>>;
}

export function prepareMessage(input: SendMessageInput, queue: MessageQueueContext): PreparedMessage {
  if (input.body === '') throw missingParameter('MessageBody');
  const invalid = INVALID_CHARACTER.exec(input.body);
  if (invalid !== null) {
    throw invalidMessageContents(
      `Invalid binary character '${hexOf(invalid[0])}' was found in the message body, the set of allowed ` +
        `characters is ${ALLOWED_CHARACTERS}`,
    );
  }
  const messageAttributes = checkMessageAttributes(input.messageAttributes);
  const systemAttributes = checkSystemAttributes(input.messageSystemAttributes);

  const size = messageSize(input.body, messageAttributes);
  const maxSize = Number(queue.attributes.MaximumMessageSize);
  if (size > maxSize) {
    throw invalidParameterValue(
      `One or more parameters are invalid. Reason: Message must be shorter than ${maxSize} bytes.`,
    );
  }

  const prepared: PreparedMessage = {
    body: input.body,
    delaySeconds: Number(queue.attributes.DelaySeconds ?? '0'),
    size,
    md5OfMessageBody: md5OfBody(input.body),
  };
  if (messageAttributes !== undefined) {
    prepared.messageAttributes = messageAttributes;
    prepared.md5OfMessageAttributes = md5OfMessageAttributes(messageAttributes) ?? '';
  }
  if (systemAttributes !== undefined) {
    prepared.systemAttributes = systemAttributes;
    prepared.md5OfMessageSystemAttributes = md5OfMessageAttributes(systemAttributes) ?? '';
  }

  if (input.delaySeconds !== undefined) {
    // FIFO queues delay per queue only. A 0 is let through: some clients always send DelaySeconds.
    if (queue.fifo && input.delaySeconds !== 0) {
      throw invalidValue(
        'DelaySeconds',
        input.delaySeconds,
        'The request include parameter that is not valid for this queue type.',
      );
    }
    if (
      !Number.isInteger(input.delaySeconds) ||
      input.delaySeconds < 0 ||
      input.delaySeconds > MAX_DELAY_SECONDS
    ) {
      throw invalidValue(
        'DelaySeconds',
        input.delaySeconds,
        `DelaySeconds must be >= 0 and <= ${MAX_DELAY_SECONDS}.`,
      );
    }
    if (!queue.fifo) prepared.delaySeconds = input.delaySeconds;
  }

  if (input.messageGroupId !== undefined && !FIFO_ID.test(input.messageGroupId)) {
    throw invalidValue(
      'MessageGroupId',
      input.messageGroupId,
      'MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.',
    );
  }
  if (input.messageDeduplicationId !== undefined && !FIFO_ID.test(input.messageDeduplicationId)) {
    throw invalidValue(
      'MessageDeduplicationId',
      input.messageDeduplicationId,
      'MessageDeduplicationId can only include alphanumeric and punctuation characters. 1 to 128 in length.',
    );
  }
  if (queue.fifo) {
    if (input.messageGroupId === undefined) throw missingParameter('MessageGroupId');
    prepared.groupId = input.messageGroupId;
    if (input.messageDeduplicationId !== undefined) {
      prepared.deduplicationId = input.messageDeduplicationId;
    } else if (queue.attributes.ContentBasedDeduplication === 'true') {
      // Content-based deduplication hashes the body only, not the attributes (SQS's definition).
      prepared.deduplicationId = createHash('sha256').update(input.body, 'utf8').digest('hex');
    } else {
      throw invalidParameterValue(
        'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
      );
    }
  } else {
    if (input.messageDeduplicationId !== undefined) {
      throw invalidValue(
        'MessageDeduplicationId',
        input.messageDeduplicationId,
        'The request include parameter that is not valid for this queue type.',
      );
    }
    // Standard queues take a MessageGroupId since SQS's fair queues (2025): kept and returned, not ordered.
    if (input.messageGroupId !== undefined) prepared.groupId = input.messageGroupId;
  }
  return prepared;
}

/** The size SQS counts: the body plus each attribute's name, data type and value, in bytes. */
export function messageSize(
  body: string,
  attributes: Readonly<Record<string, MessageAttributeValue>> | undefined,
): number {
  let size = Buffer.byteLength(body, 'utf8');
  for (const [name, attribute] of Object.entries(attributes ?? {})) {
    size += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(attribute.dataType, 'utf8');
    if (attribute.stringValue !== undefined) size += Buffer.byteLength(attribute.stringValue, 'utf8');
    else if (attribute.binaryValue !== undefined) size += Buffer.from(attribute.binaryValue, 'base64').length;
  }
  return size;
}

function hexOf(character: string): string {
  return `#x${(character.codePointAt(0) ?? 0).toString(16).toUpperCase()}`;
}

/** Checks user message attributes; returns them with only the field their type uses, or undefined if none. */
function checkMessageAttributes(
  attributes: Readonly<Record<string, MessageAttributeValue>> | undefined,
): Record<string, MessageAttributeValue> | undefined {
  if (attributes === undefined) return undefined;
  const entries = Object.entries(attributes);
  if (entries.length === 0) return undefined;
  if (entries.length > MAX_MESSAGE_ATTRIBUTES) {
    throw invalidParameterValue(
      `Number of message attributes [${entries.length}] exceeds the allowed maximum [${MAX_MESSAGE_ATTRIBUTES}].`,
    );
  }
  const checked: Record<string, MessageAttributeValue> = {};
  for (const [name, attribute] of entries) {
    checkAttributeName(name);
    checked[name] = checkAttributeValue(name, attribute);
  }
  return checked;
}

function checkAttributeName(name: string): void {
  const lower = name.toLowerCase();
  if (lower.startsWith('aws.') || lower.startsWith('amazon.')) {
    throw invalidParameterValue(`Message (user) attribute name '${name}' is reserved for use by SQS.`);
  }
  if (
    name.length === 0 ||
    name.length > MAX_ATTRIBUTE_NAME_LENGTH ||
    !ATTRIBUTE_NAME.test(name) ||
    name.startsWith('.') ||
    name.endsWith('.') ||
    name.includes('..')
  ) {
    throw invalidParameterValue(
      `Message (user) attribute name '${name}' is invalid. It can contain alphanumeric characters, ` +
        `underscores (_), hyphens (-) and periods (.), must not start or end with a period nor contain two ` +
        `in a row, and can be up to ${MAX_ATTRIBUTE_NAME_LENGTH} characters long.`,
    );
  }
}

function checkAttributeValue(name: string, attribute: MessageAttributeValue): MessageAttributeValue {
  const { dataType } = attribute;
  if (dataType === '') {
    throw invalidParameterValue(
      `The message attribute '${name}' must contain non-empty message attribute type.`,
    );
  }
  const match = DATA_TYPE.exec(dataType);
  if (match === null || dataType.length > MAX_DATA_TYPE_LENGTH) {
    throw invalidParameterValue(
      `The type of message (user) attribute '${name}' is invalid. You must use only the following ` +
        'supported type prefixes: Binary, Number, String.',
    );
  }
  const base = match[1] as 'String' | 'Number' | 'Binary';
  const empty = () =>
    invalidParameterValue(
      `The message attribute '${name}' must contain non-empty message attribute value for message ` +
        `attribute type '${base}'.`,
    );
  if (base === 'Binary') {
    if (attribute.binaryValue === undefined) {
      throw invalidParameterValue(
        `The message attribute '${name}' with type 'Binary' must use field 'Binary'.`,
      );
    }
    if (attribute.binaryValue === '') throw empty();
    if (!BASE64.test(attribute.binaryValue)) {
      throw invalidParameterValue(`The message attribute '${name}' has a Binary value that is not base64.`);
    }
    return { dataType, binaryValue: attribute.binaryValue };
  }
  if (attribute.stringValue === undefined) {
    throw invalidParameterValue(
      `The message attribute '${name}' with type '${base}' must use field 'String'.`,
    );
  }
  if (attribute.stringValue === '') throw empty();
  if (base === 'Number' && !NUMBER.test(attribute.stringValue)) {
    throw invalidParameterValue(`Can't cast the value of message (user) attribute '${name}' to a number.`);
  }
  const invalid = INVALID_CHARACTER.exec(attribute.stringValue);
  if (invalid !== null) {
    throw invalidParameterValue(
      `Message (user) attribute '${name}' value contains invalid binary character '${hexOf(invalid[0])}'. ` +
        `You must use only the following supported characters: ${ALLOWED_CHARACTERS}.`,
    );
  }
  return { dataType, stringValue: attribute.stringValue };
}

/** Message system attributes: SQS defines one, AWSTraceHeader, a String (the X-Ray trace header). */
function checkSystemAttributes(
  attributes: Readonly<Record<string, MessageAttributeValue>> | undefined,
): Record<string, MessageAttributeValue> | undefined {
  if (attributes === undefined) return undefined;
  const entries = Object.entries(attributes);
  if (entries.length === 0) return undefined;
  const checked: Record<string, MessageAttributeValue> = {};
  for (const [name, attribute] of entries) {
    if (name !== 'AWSTraceHeader') {
      throw invalidParameterValue(`Message system attribute name '${name}' is invalid.`);
    }
    if (
      attribute.dataType !== 'String' ||
      attribute.stringValue === undefined ||
      attribute.stringValue === ''
    ) {
      throw invalidParameterValue(
        `Message system attribute '${name}' must be of type 'String' with a non-empty StringValue.`,
      );
    }
    checked[name] = { dataType: 'String', stringValue: attribute.stringValue };
  }
  return checked;
}
