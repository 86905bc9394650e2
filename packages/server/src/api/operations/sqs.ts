/**
 * The SQS operations (`AmazonSQS.*`) on the wire, in the shapes of the AWS JSON 1.0 protocol that current
 * SDKs speak (model `sqs/2012-11-05`). The query protocol (api/query/) translates its form parameters
 * into these same inputs and renders these outputs as XML, so this file is the one mapping from wire
 * members to the QueueService for both protocols.
 *
 * Only shapes are checked here: a member of the wrong JSON type is a SerializationException, a required
 * member that is absent is SQS's MissingParameter ("The request must contain the parameter X."). Value
 * rules (DelaySeconds 0-900, batch sizes, attribute names, FIFO requirements) are the QueueService's,
 * which throws SqsErrors with SQS's codes and texts.
 *
 * Queues are addressed by URL on the wire and by name in the domain. A queue URL is
 * `http://<Host header>/<account>/<name>`: built from the Host the client used, so it is a URL that
 * client can reach (a server behind a proxy sees the proxy's Host, which is also what its clients use).
 * Incoming URLs are matched on their path only; the host is ignored, since the same server is reachable
 * as localhost, 127.0.0.1 or a container name.
 */
import type {
  BatchResult,
  MessageAttributeValue,
  QueueService,
  ReceivedMessage,
  SendMessageInput,
  SendMessageResult,
} from '../../queues/types.js';
import { SqsError } from '../../queues/types.js';
import type { OperationContext, OperationHandler } from '../aws-json/protocol.js';
import { typeError } from '../validation.js';

export interface SqsOperationsConfig {
  region: string;
  accountId: string;
}

/** Used when a request has no Host header (HTTP/1.0): the URL is still well formed. */
const FALLBACK_HOST = 'localhost';

/**
 * The `AmazonSQS.*` operation table: CreateQueue, GetQueueUrl, ListQueues, DeleteQueue,
 * GetQueueAttributes, SetQueueAttributes, SendMessage(Batch), ReceiveMessage, DeleteMessage(Batch),
 * ChangeMessageVisibility(Batch), PurgeQueue, TagQueue, UntagQueue, ListQueueTags.
 */
export function createSqsOperations(
  queues: QueueService,
  config: SqsOperationsConfig,
): Map<string, OperationHandler> {
  const urlOf = (name: string, context: OperationContext): string =>
    `http://${context.host ?? FALLBACK_HOST}/${config.accountId}/${name}`;
  const nameOf = (input: Record<string, unknown>): string =>
    queueNameOfUrl(requiredString(input.QueueUrl, 'QueueUrl'), config.accountId);

  const operations: Record<string, OperationHandler> = {
    // --- queues ---------------------------------------------------------------------------------------
    async CreateQueue(input, context) {
      const name = requiredString(input.QueueName, 'QueueName');
      const attributes = stringMap(input.Attributes, 'Attributes');
      // The JSON model spells this member in lower case (`tags`); the query protocol's `Tag.N.*` maps here.
      const tags = stringMap(input.tags, 'tags');
      const created = await queues.createQueue(defined({ name, attributes, tags }));
      return { QueueUrl: urlOf(created.name, context) };
    },

    async GetQueueUrl(input, context) {
      const name = requiredString(input.QueueName, 'QueueName');
      const owner = optionalString(input.QueueOwnerAWSAccountId, 'QueueOwnerAWSAccountId');
      // One account per server: a queue of any other account does not exist here.
      if (owner !== undefined && owner !== config.accountId) throw queueDoesNotExist();
      const queue = await queues.getQueue(name);
      return { QueueUrl: urlOf(queue.name, context) };
    },

    async ListQueues(input, context) {
      const prefix = optionalString(input.QueueNamePrefix, 'QueueNamePrefix');
      const nextToken = optionalString(input.NextToken, 'NextToken');
      const maxResults = optionalInteger(input.MaxResults, 'MaxResults');
      const page = await queues.listQueues(defined({ prefix, nextToken, maxResults }));
      return {
        // SQS leaves the member out when no queue matches.
        QueueUrls: page.names.length === 0 ? undefined : page.names.map((name) => urlOf(name, context)),
        NextToken: page.nextToken,
      };
    },

    async DeleteQueue(input) {
      await queues.deleteQueue(nameOf(input));
    },

    async GetQueueAttributes(input) {
      const name = nameOf(input);
      const attributeNames = stringList(input.AttributeNames, 'AttributeNames') ?? [];
      const attributes = await queues.getQueueAttributes(name, attributeNames);
      return { Attributes: nonEmpty(attributes) };
    },

    async SetQueueAttributes(input) {
      const name = nameOf(input);
      const attributes = stringMap(input.Attributes, 'Attributes') ?? missing('Attributes');
      await queues.setQueueAttributes(name, attributes);
    },

    async PurgeQueue(input) {
      await queues.purgeQueue(nameOf(input));
    },

    // --- messages -------------------------------------------------------------------------------------
    async SendMessage(input) {
      const name = nameOf(input);
      const message = readSendInput(input, '');
      return sendResultOut(await queues.sendMessage(name, message));
    },

    async SendMessageBatch(input) {
      const name = nameOf(input);
      const entries = entryList(input.Entries, 'Entries', (entry, path) => ({
        id: requiredString(entry.Id, `${path}.Id`),
        ...readSendInput(entry, `${path}.`),
      }));
      const result = await queues.sendMessageBatch(name, entries);
      return batchOut(result, (item) => ({ Id: item.id, ...sendResultOut(item) }));
    },

    async ReceiveMessage(input, context) {
      const name = nameOf(input);
      // AttributeNames is the deprecated spelling of MessageSystemAttributeNames; SDKs send either.
      const systemNames = [
        ...(stringList(input.AttributeNames, 'AttributeNames') ?? []),
        ...(stringList(input.MessageSystemAttributeNames, 'MessageSystemAttributeNames') ?? []),
      ];
      const request = defined({
        maxNumberOfMessages: optionalInteger(input.MaxNumberOfMessages, 'MaxNumberOfMessages'),
        visibilityTimeout: optionalInteger(input.VisibilityTimeout, 'VisibilityTimeout'),
        waitTimeSeconds: optionalInteger(input.WaitTimeSeconds, 'WaitTimeSeconds'),
        attributeNames: systemNames.length === 0 ? undefined : systemNames,
        messageAttributeNames: stringList(input.MessageAttributeNames, 'MessageAttributeNames'),
        receiveRequestAttemptId: optionalString(input.ReceiveRequestAttemptId, 'ReceiveRequestAttemptId'),
      });
      const messages = await queues.receiveMessage(name, request, context.signal);
      // SQS answers `{}` when no message came.
      return { Messages: messages.length === 0 ? undefined : messages.map(messageOut) };
    },

    async DeleteMessage(input) {
      const name = nameOf(input);
      await queues.deleteMessage(name, requiredString(input.ReceiptHandle, 'ReceiptHandle'));
    },

    async DeleteMessageBatch(input) {
      const name = nameOf(input);
      const entries = entryList(input.Entries, 'Entries', (entry, path) => ({
        id: requiredString(entry.Id, `${path}.Id`),
        receiptHandle: requiredString(entry.ReceiptHandle, `${path}.ReceiptHandle`),
      }));
      return batchOut(await queues.deleteMessageBatch(name, entries), (item) => ({ Id: item.id }));
    },

    async ChangeMessageVisibility(input) {
      const name = nameOf(input);
      const receiptHandle = requiredString(input.ReceiptHandle, 'ReceiptHandle');
      const timeout =
        optionalInteger(input.VisibilityTimeout, 'VisibilityTimeout') ?? missing('VisibilityTimeout');
      await queues.changeMessageVisibility(name, receiptHandle, timeout);
    },

    async ChangeMessageVisibilityBatch(input) {
      const name = nameOf(input);
      const entries = entryList(input.Entries, 'Entries', (entry, path) => ({
        id: requiredString(entry.Id, `${path}.Id`),
        receiptHandle: requiredString(entry.ReceiptHandle, `${path}.ReceiptHandle`),
        // Optional in the model, but a change without a new timeout means nothing.
        visibilityTimeout:
          optionalInteger(entry.VisibilityTimeout, `${path}.VisibilityTimeout`) ??
          missing(`${path}.VisibilityTimeout`),
      }));
      const result = await queues.changeMessageVisibilityBatch(name, entries);
      return batchOut(result, (item) => ({ Id: item.id }));
    },

    // --- tags -----------------------------------------------------------------------------------------
    async TagQueue(input) {
      const name = nameOf(input);
      await queues.tagQueue(name, stringMap(input.Tags, 'Tags') ?? missing('Tags'));
    },

    async UntagQueue(input) {
      const name = nameOf(input);
      await queues.untagQueue(name, stringList(input.TagKeys, 'TagKeys') ?? missing('TagKeys'));
    },

    async ListQueueTags(input) {
      const tags = await queues.listQueueTags(nameOf(input));
      return { Tags: nonEmpty(tags) };
    },
  };

  return new Map(Object.entries(operations).map(([name, handler]) => [`AmazonSQS.${name}`, handler]));
}

// --- queue URLs -----------------------------------------------------------------------------------------

/**
 * The queue name in a queue URL `<scheme>://<host>/<account>/<name>`. A URL of another account names a
 * queue that does not exist on this server (QueueDoesNotExist, as SQS answers for an unknown queue); a
 * value that is not such a URL at all is InvalidAddress, SQS's error for an address it cannot serve.
 */
export function queueNameOfUrl(queueUrl: string, accountId: string): string {
  let path: string;
  try {
    path = new URL(queueUrl).pathname;
  } catch {
    throw invalidAddress(queueUrl);
  }
  const segments = path.split('/').filter((segment) => segment !== '');
  const [account, encodedName] = segments;
  if (segments.length !== 2 || account === undefined || encodedName === undefined) {
    throw invalidAddress(queueUrl);
  }
  if (account !== accountId) throw queueDoesNotExist();
  try {
    return decodeURIComponent(encodedName);
  } catch {
    throw invalidAddress(queueUrl);
  }
}

function invalidAddress(queueUrl: string): SqsError {
  return new SqsError('InvalidAddress', `The address ${queueUrl} is not valid for this endpoint.`);
}

function queueDoesNotExist(): SqsError {
  return new SqsError('QueueDoesNotExist', 'The specified queue does not exist.');
}

// --- input members --------------------------------------------------------------------------------------

/** SQS's answer for an absent required member (`path` as the caller named it, e.g. `Entries.2.Id`). */
function missing(path: string): never {
  throw new SqsError('MissingParameter', `The request must contain the parameter ${path}.`);
}

function optionalString(value: unknown, path: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw typeError(path, 'a string', value);
  return value;
}

function requiredString(value: unknown, path: string): string {
  return optionalString(value, path) ?? missing(path);
}

function optionalInteger(value: unknown, path: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw typeError(path, 'an integer', value);
  return value;
}

function object(value: unknown, path: string): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw typeError(path, 'an object', value);
  return value as Record<string, unknown>;
}

function stringMap(value: unknown, path: string): Record<string, string> | undefined {
  const record = object(value, path);
  if (record === undefined) return undefined;
  for (const [key, item] of Object.entries(record)) {
    if (typeof item !== 'string') throw typeError(`${path}.${key}`, 'a string', item);
  }
  return record as Record<string, string>;
}

function stringList(value: unknown, path: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw typeError(path, 'a list', value);
  value.forEach((item: unknown, index) => {
    if (typeof item !== 'string') throw typeError(`${path}.${index + 1}`, 'a string', item);
  });
  return value as string[];
}

/**
 * The entries of a batch request, each read by `read` with its path (`Entries.1`). An absent list is
 * read as empty, so that the QueueService answers it as SQS does (EmptyBatchRequest).
 */
function entryList<T>(
  value: unknown,
  path: string,
  read: (entry: Record<string, unknown>, path: string) => T,
): T[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw typeError(path, 'a list', value);
  return value.map((item: unknown, index) => {
    const entryPath = `${path}.${index + 1}`;
    return read(object(item, entryPath) ?? missing(entryPath), entryPath);
  });
}

/** The members of SendMessage, also those of a SendMessageBatch entry (`prefix` = `Entries.N.`). */
function readSendInput(input: Record<string, unknown>, prefix: string): SendMessageInput {
  return defined({
    body: requiredString(input.MessageBody, `${prefix}MessageBody`),
    delaySeconds: optionalInteger(input.DelaySeconds, `${prefix}DelaySeconds`),
    messageAttributes: messageAttributes(input.MessageAttributes, `${prefix}MessageAttributes`),
    messageSystemAttributes: messageAttributes(
      input.MessageSystemAttributes,
      `${prefix}MessageSystemAttributes`,
    ),
    messageGroupId: optionalString(input.MessageGroupId, `${prefix}MessageGroupId`),
    messageDeduplicationId: optionalString(input.MessageDeduplicationId, `${prefix}MessageDeduplicationId`),
  });
}

/**
 * Message attributes: `{Name: {DataType, StringValue | BinaryValue}}`, BinaryValue as base64 text (the
 * JSON encoding of a blob). StringListValues and BinaryListValues are "reserved for future use" in the
 * model and SQS ignores them; so does Busway.
 */
function messageAttributes(value: unknown, path: string): Record<string, MessageAttributeValue> | undefined {
  const record = object(value, path);
  if (record === undefined) return undefined;
  const attributes: Record<string, MessageAttributeValue> = {};
  for (const [name, item] of Object.entries(record)) {
    const itemPath = `${path}.${name}`;
    const attribute = object(item, itemPath) ?? {};
    const dataType = optionalString(attribute.DataType, `${itemPath}.DataType`);
    if (dataType === undefined) {
      throw new SqsError(
        'InvalidParameterValue',
        `The message attribute '${name}' must contain a non-empty message attribute type.`,
      );
    }
    attributes[name] = defined({
      dataType,
      stringValue: optionalString(attribute.StringValue, `${itemPath}.StringValue`),
      binaryValue: optionalString(attribute.BinaryValue, `${itemPath}.BinaryValue`),
    });
  }
  return attributes;
}

// --- output members -------------------------------------------------------------------------------------

function sendResultOut(result: SendMessageResult): Record<string, unknown> {
  return {
    MessageId: result.messageId,
    MD5OfMessageBody: result.md5OfMessageBody,
    MD5OfMessageAttributes: result.md5OfMessageAttributes,
    MD5OfMessageSystemAttributes: result.md5OfMessageSystemAttributes,
    SequenceNumber: result.sequenceNumber,
  };
}

/** A batch answer: both lists are required members, so both are sent, empty or not. */
function batchOut<T>(
  result: BatchResult<T>,
  successOut: (item: T & { id: string }) => Record<string, unknown>,
): Record<string, unknown> {
  return {
    Successful: result.successful.map(successOut),
    Failed: result.failed.map((failure) => ({
      Id: failure.id,
      SenderFault: failure.senderFault,
      Code: failure.code,
      Message: failure.message,
    })),
  };
}

function messageOut(message: ReceivedMessage): Record<string, unknown> {
  return {
    MessageId: message.messageId,
    ReceiptHandle: message.receiptHandle,
    MD5OfBody: message.md5OfBody,
    Body: message.body,
    Attributes: message.attributes === undefined ? undefined : nonEmpty(message.attributes),
    MD5OfMessageAttributes: message.md5OfMessageAttributes,
    MessageAttributes:
      message.messageAttributes === undefined
        ? undefined
        : nonEmpty(
            Object.fromEntries(
              Object.entries(message.messageAttributes).map(([name, value]) => [
                name,
                { DataType: value.dataType, StringValue: value.stringValue, BinaryValue: value.binaryValue },
              ]),
            ),
          ),
  };
}

/** A map member, left out when empty (as SQS does for Attributes, MessageAttributes, Tags). */
function nonEmpty<T>(record: Record<string, T>): Record<string, T> | undefined {
  return Object.keys(record).length === 0 ? undefined : record;
}

type Defined<T> = { [K in keyof T as undefined extends T[K] ? never : K]: T[K] } & {
  [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined>;
};

/** `value` without its undefined members (the domain's optional members are absent, not undefined). */
function defined<T extends object>(value: T): Defined<T> {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as Defined<T>;
}
