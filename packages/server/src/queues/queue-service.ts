/**
 * The SQS-compatible queue service: the rules of each SQS operation, written against the store; no
 * HTTP here (api/operations/sqs.ts maps both wire protocols onto it). Errors are SqsErrors carrying
 * SQS's codes and texts.
 *
 * Time: `now()` stamps everything stored (sent, received, visible-until, retention, deduplication), so
 * tests move the clock instead of sleeping. Long polls sleep on real timers for at most their wait time,
 * woken early by the in-process notifier (queue-waiters.ts).
 */
import { randomUUID } from 'node:crypto';

import type { ArnContext } from '../bus/arns.js';
import { toError } from '../errors.js';
import { InvalidNextTokenError } from '../store/errors.js';
import type {
  NewQueueMessage,
  QueueMessageRecord,
  QueueRecord,
  SentQueueMessage,
  Store,
  TagRecord,
} from '../store/store.js';
import { queueArn, queueNameOfArn } from './arns.js';
import { md5OfBody, md5OfMessageAttributes } from './md5.js';
import { messageSize, prepareMessage, type PreparedMessage } from './message-validation.js';
import {
  COMPUTED_ATTRIBUTES,
  MAX_MESSAGE_SIZE,
  MAX_VISIBILITY_TIMEOUT,
  MAX_WAIT_TIME_SECONDS,
  checkAttributeCombination,
  defaultQueueAttributes,
  normalizeQueueAttributes,
  parseRedrivePolicy,
  readableAttributeNames,
} from './queue-attributes.js';
import {
  checkBatchEntries,
  invalidAttributeName,
  invalidAttributeValue,
  invalidParameterValue,
  invalidValue,
  messageNotAvailable,
  queueDoesNotExist,
  queueNameExists,
  receiptHandleExpired,
  receiptHandleIsInvalid,
  receiptHandleOfAnotherQueue,
} from './queue-errors.js';
import { createQueueWaiters, sleepUntilWoken } from './queue-waiters.js';
import { decodeReceiptHandle, encodeReceiptHandle, type ReceiptHandleParts } from './receipt-handle.js';
import {
  SqsError,
  type BatchResult,
  type MessageAttributeValue,
  type QueueInfo,
  type QueueService,
  type ReceivedMessage,
  type SendMessageResult,
} from './types.js';

export interface QueueServiceOptions extends ArnContext {
  /** The clock for everything stored; Date.now by default. */
  now?: () => number;
  /**
   * How often every queue's expired messages (and closed deduplication windows) are deleted in the
   * background, in ms (default 60 000). Receives and GetQueueAttributes also prune their queue first,
   * so an expired message is never returned or counted. 0 turns the background pass off.
   */
  pruneIntervalMs?: number;
  /** Told about failures of the background pass (which otherwise only retries at its next run). */
  onError?: (error: Error) => void;
  /** Told each time a long poll goes to sleep on an empty queue (tests wait on it; metrics may count it). */
  onLongPollWait?: (queueName: string) => void;
}

/** SQS's FIFO deduplication interval. */
export const DEDUPLICATION_WINDOW_MS = 5 * 60_000;
const PRUNE_INTERVAL_MS = 60_000;
const MAX_RECEIVE_MESSAGES = 10;
const MAX_LIST_RESULTS = 1000;
const MAX_TAGS = 50;
/** moveMessages moves this many per store transaction, reporting progress between them. */
const MOVE_CHUNK = 100;

const STANDARD_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const FIFO_NAME = /^[A-Za-z0-9_-]{1,75}\.fifo$/;

/** The system attributes ReceiveMessage can return (AttributeNames / MessageSystemAttributeNames). */
const MESSAGE_SYSTEM_ATTRIBUTES = [
  'ApproximateFirstReceiveTimestamp',
  'ApproximateReceiveCount',
  'AWSTraceHeader',
  'DeadLetterQueueSourceArn',
  'MessageDeduplicationId',
  'MessageGroupId',
  'SenderId',
  'SentTimestamp',
  'SequenceNumber',
] as const;

export function createQueueService(store: Store, options: QueueServiceOptions): QueueService {
  const now = options.now ?? Date.now;
  const ctx: ArnContext = { region: options.region, accountId: options.accountId };
  const waiters = createQueueWaiters();
  let closed = false;

  async function requireQueue(name: string): Promise<QueueRecord> {
    const queue = await store.getQueue(name);
    if (queue === undefined) throw queueDoesNotExist();
    return queue;
  }

  function infoOf(queue: QueueRecord): QueueInfo {
    return {
      name: queue.name,
      arn: queue.arn,
      fifo: queue.fifo,
      attributes: { ...queue.attributes },
      createdAt: queue.createdAt,
      updatedAt: queue.updatedAt,
    };
  }

  function checkQueueName(name: string, fifo: boolean): void {
    if (fifo && !FIFO_NAME.test(name)) {
      throw invalidParameterValue(
        'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, ' +
          'must end with .fifo suffix and be 1 to 80 in length.',
      );
    }
    if (!fifo && !STANDARD_NAME.test(name)) {
      throw invalidParameterValue(
        'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
      );
    }
  }

  /** Checks tags to add to a queue that has `existingKeys`; returns them as records. */
  function checkTags(
    tags: Readonly<Record<string, string>>,
    existingKeys: readonly string[] = [],
  ): TagRecord[] {
    const records = Object.entries(tags).map(([key, value]) => ({ key, value }));
    for (const { key, value } of records) {
      if (key.length < 1 || key.length > 128) {
        throw invalidParameterValue(`Tag key ${key} is invalid: tag keys are 1 to 128 characters long.`);
      }
      if (value.length > 256) {
        throw invalidParameterValue(
          `Tag value of ${key} is invalid: tag values are at most 256 characters long.`,
        );
      }
    }
    if (new Set([...existingKeys, ...Object.keys(tags)]).size > MAX_TAGS) {
      throw invalidParameterValue(`Too many tags: a queue can have at most ${MAX_TAGS} tags.`);
    }
    return records;
  }

  /** The enqueue time at or before which a queue's messages have outlived their retention period. */
  function expiredBefore(queue: QueueRecord, at: number): number {
    return at - Number(queue.attributes.MessageRetentionPeriod) * 1000;
  }

  async function prune(queue: QueueRecord, at: number): Promise<void> {
    await store.pruneQueue(queue.name, { enqueuedBefore: expiredBefore(queue, at), now: at });
  }

  async function pruneAll(): Promise<void> {
    let nextToken: string | undefined;
    do {
      const page = await store.listQueues(
        undefined,
        nextToken === undefined ? { limit: 100 } : { limit: 100, nextToken },
      );
      for (const queue of page.items) {
        if (closed) return;
        await prune(queue, now());
      }
      nextToken = page.nextToken;
    } while (nextToken !== undefined && !closed);
  }

  const pruneIntervalMs = options.pruneIntervalMs ?? PRUNE_INTERVAL_MS;
  let pruning = false;
  const pruneTimer =
    pruneIntervalMs > 0
      ? setInterval(() => {
          if (pruning || closed) return;
          pruning = true;
          pruneAll()
            .catch((error: unknown) => options.onError?.(toError(error)))
            .finally(() => (pruning = false));
        }, pruneIntervalMs)
      : undefined;
  // Never keeps the process alive on its own.
  pruneTimer?.unref();

  // --- sending --------------------------------------------------------------------------------------------

  function toNewMessage(prepared: PreparedMessage, at: number): NewQueueMessage {
    return {
      id: randomUUID(),
      body: prepared.body,
      ...(prepared.messageAttributes === undefined ? {} : { messageAttributes: prepared.messageAttributes }),
      ...(prepared.systemAttributes === undefined ? {} : { systemAttributes: prepared.systemAttributes }),
      ...(prepared.groupId === undefined ? {} : { groupId: prepared.groupId }),
      ...(prepared.deduplicationId === undefined ? {} : { deduplicationId: prepared.deduplicationId }),
      visibleAt: at + prepared.delaySeconds * 1000,
    };
  }

  async function storeMessages(
    queue: QueueRecord,
    prepared: readonly PreparedMessage[],
  ): Promise<SendMessageResult[]> {
    const at = now();
    const deduplication = {
      windowMs: DEDUPLICATION_WINDOW_MS,
      scope: queue.attributes.DeduplicationScope === 'messageGroup' ? 'message-group' : 'queue',
    } as const;
    const messages = prepared.map((message) => toNewMessage(message, at));
    let sent: SentQueueMessage[];
    try {
      sent = await store.sendQueueMessages(queue.name, messages, {
        now: at,
        ...(queue.fifo ? { deduplication } : {}),
      });
    } catch (error) {
      // Deleted since it was looked up: the store refused the messages (foreign key).
      if ((await store.getQueue(queue.name)) === undefined) throw queueDoesNotExist();
      throw error;
    }
    waiters.notify(queue.name);
    return sent.map((result, i) => {
      const message = prepared[i]!;
      return {
        messageId: result.id,
        // Digests of what this request sent (the SDK compares them with its own), also for a duplicate.
        md5OfMessageBody: message.md5OfMessageBody,
        ...(message.md5OfMessageAttributes === undefined
          ? {}
          : { md5OfMessageAttributes: message.md5OfMessageAttributes }),
        ...(message.md5OfMessageSystemAttributes === undefined
          ? {}
          : { md5OfMessageSystemAttributes: message.md5OfMessageSystemAttributes }),
        ...(queue.fifo ? { sequenceNumber: sequenceNumberOf(result.seq) } : {}),
      };
    });
  }

  // --- receiving ------------------------------------------------------------------------------------------

  function toReceived(
    queue: QueueRecord,
    message: QueueMessageRecord,
    systemNames: ReadonlySet<string>,
    attributeFilter: (name: string) => boolean,
  ): ReceivedMessage {
    const received: ReceivedMessage = {
      messageId: message.id,
      receiptHandle: encodeReceiptHandle({
        queueName: queue.name,
        messageId: message.id,
        token: message.receiptToken ?? '',
      }),
      body: message.body,
      md5OfBody: md5OfBody(message.body),
    };
    const system: Record<string, string> = {};
    const put = (name: string, value: string | number | undefined) => {
      if (value !== undefined && systemNames.has(name)) system[name] = String(value);
    };
    put('ApproximateReceiveCount', message.receiveCount);
    put('ApproximateFirstReceiveTimestamp', message.firstReceivedAt);
    put('SentTimestamp', message.sentAt);
    put('SenderId', options.accountId);
    put('MessageGroupId', message.groupId);
    if (queue.fifo) {
      put('MessageDeduplicationId', message.deduplicationId);
      put('SequenceNumber', sequenceNumberOf(message.seq));
    }
    put('AWSTraceHeader', message.systemAttributes?.AWSTraceHeader?.stringValue);
    put('DeadLetterQueueSourceArn', message.deadLetterSourceArn);
    if (Object.keys(system).length > 0) received.attributes = system;

    const attributes: Record<string, MessageAttributeValue> = {};
    for (const [name, value] of Object.entries(message.messageAttributes ?? {})) {
      if (attributeFilter(name)) attributes[name] = { ...value };
    }
    const digest = md5OfMessageAttributes(attributes);
    if (digest !== undefined) {
      // The digest covers the attributes returned, which SDKs recompute from the response.
      received.messageAttributes = attributes;
      received.md5OfMessageAttributes = digest;
    }
    return received;
  }

  /** One look at the store; moves dead letters on the way. Undefined when the queue was deleted. */
  async function receiveOnce(
    name: string,
    limit: number,
    visibilityTimeout: number | undefined,
  ): Promise<{ queue: QueueRecord; messages: QueueMessageRecord[] } | undefined> {
    const queue = await store.getQueue(name);
    if (queue === undefined) return undefined;
    const at = now();
    const visibility = visibilityTimeout ?? Number(queue.attributes.VisibilityTimeout);
    const redrive = parseRedrivePolicy(queue.attributes.RedrivePolicy);
    const deadLetterQueue =
      redrive === undefined ? undefined : queueNameOfArn(ctx, redrive.deadLetterTargetArn);
    const result = await store.receiveQueueMessages(name, {
      now: at,
      limit,
      visibleUntil: at + visibility * 1000,
      expiredBefore: expiredBefore(queue, at),
      ...(redrive !== undefined && deadLetterQueue !== undefined
        ? { deadLetter: { queueName: deadLetterQueue, maxReceiveCount: redrive.maxReceiveCount } }
        : {}),
    });
    if (result.deadLettered > 0 && deadLetterQueue !== undefined) waiters.notify(deadLetterQueue);
    return { queue, messages: result.messages };
  }

  // --- receipt handles ------------------------------------------------------------------------------------

  function parseHandle(queueName: string, handle: string): ReceiptHandleParts {
    const parts = decodeReceiptHandle(handle);
    if (parts === undefined) throw receiptHandleIsInvalid(handle);
    if (parts.queueName !== queueName) throw receiptHandleOfAnotherQueue(handle);
    return parts;
  }

  async function deleteByHandle(queue: QueueRecord, handle: string): Promise<void> {
    const parts = parseHandle(queue.name, handle);
    const outcome = await store.deleteQueueMessage(
      queue.name,
      parts.messageId,
      parts.token,
      queue.fifo ? now() : undefined,
    );
    if (outcome === 'deleted') {
      // A deleted FIFO message may unblock its group.
      if (queue.fifo) waiters.notify(queue.name);
      return;
    }
    // SQS: an old handle of a standard queue succeeds without deleting (the message was received again);
    // a FIFO handle stops working when its visibility timeout ends. Deleting a deleted message succeeds.
    if (queue.fifo && (outcome === 'stale' || outcome === 'expired')) throw receiptHandleExpired(handle);
  }

  async function changeVisibilityByHandle(
    queue: QueueRecord,
    handle: string,
    timeout: number,
  ): Promise<void> {
    checkVisibilityTimeout(timeout);
    const parts = parseHandle(queue.name, handle);
    const at = now();
    const message = await store.getQueueMessage(queue.name, parts.messageId);
    if (message === undefined) throw messageNotAvailable(handle);
    // The total: at most 12 hours from the receive that issued the handle.
    const receivedAt = message.lastReceivedAt ?? at;
    if (
      message.receiptToken === parts.token &&
      at + timeout * 1000 > receivedAt + MAX_VISIBILITY_TIMEOUT * 1000
    ) {
      throw invalidValue(
        'VisibilityTimeout',
        timeout,
        `Total VisibilityTimeout for the message is beyond the limit [${MAX_VISIBILITY_TIMEOUT} seconds].`,
      );
    }
    const outcome = await store.changeQueueMessageVisibility(
      queue.name,
      parts.messageId,
      parts.token,
      at + timeout * 1000,
      queue.fifo ? at : undefined,
    );
    if (outcome === 'changed') {
      // Waiters recompute when to look next (shorter or 0: sooner).
      waiters.notify(queue.name);
      return;
    }
    if (outcome === 'not-found') throw messageNotAvailable(handle);
    throw receiptHandleExpired(handle);
  }

  /** Runs one entry of a batch, turning its SqsError into a failed entry. */
  async function runEntries<E extends { id: string }, R extends object>(
    entries: readonly E[],
    run: (entry: E) => Promise<R>,
  ): Promise<BatchResult<R>> {
    const result: BatchResult<R> = { successful: [], failed: [] };
    for (const entry of entries) {
      try {
        result.successful.push({ ...(await run(entry)), id: entry.id });
      } catch (error) {
        result.failed.push(failedEntry(entry.id, error));
      }
    }
    return result;
  }

  return {
    // --- queues -------------------------------------------------------------------------------------------
    async createQueue(input) {
      const { FifoQueue: fifoText, ...given } = input.attributes ?? {};
      const fifoGiven = fifoText?.toLowerCase();
      if (fifoGiven !== undefined && fifoGiven !== 'true' && fifoGiven !== 'false') {
        throw invalidAttributeValue('FifoQueue');
      }
      // A repeat of CreateQueue for an existing FIFO queue may leave FifoQueue out (apps call it to
      // get the queue's URL); for a new queue, a `.fifo` name without FifoQueue=true fails as a
      // standard name (the dot), as in SQS.
      const existingFifo =
        fifoGiven === undefined && FIFO_NAME.test(input.name)
          ? (await store.getQueue(input.name))?.fifo === true
          : false;
      const fifo = fifoGiven === 'true' || existingFifo;
      checkQueueName(input.name, fifo);
      const attributes = await normalizeQueueAttributes(given, {
        ...ctx,
        queueName: input.name,
        fifo,
        getQueue: (name) => store.getQueue(name),
      });
      const tags = checkTags(input.tags ?? {});

      const compare = (existing: QueueRecord): QueueInfo => {
        // SQS compares only the attributes the request gives; an empty one means "not set".
        if (fifoGiven !== undefined && existing.fifo !== fifo) throw queueNameExists('FifoQueue');
        for (const [name, value] of Object.entries(attributes)) {
          if ((existing.attributes[name] ?? '') !== value) throw queueNameExists(name);
        }
        return infoOf(existing);
      };
      const existing = await store.getQueue(input.name);
      if (existing !== undefined) return compare(existing);

      const merged = mergeAttributes(defaultQueueAttributes(fifo), attributes);
      const at = now();
      const record: QueueRecord = {
        name: input.name,
        arn: queueArn(ctx, input.name),
        fifo,
        attributes: merged,
        createdAt: at,
        updatedAt: at,
      };
      if ((await store.createQueue(record, tags)) === 'exists') {
        // Created by a concurrent call in between: the same rules as if it had come first.
        return compare(await requireQueue(input.name));
      }
      return infoOf(record);
    },

    async getQueue(name) {
      return infoOf(await requireQueue(name));
    },

    async listQueues(input) {
      const { maxResults } = input;
      if (
        maxResults !== undefined &&
        (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > MAX_LIST_RESULTS)
      ) {
        throw invalidValue(
          'MaxResults',
          maxResults,
          `MaxResults must be an integer between 1 and ${MAX_LIST_RESULTS}.`,
        );
      }
      try {
        const page = await store.listQueues(input.prefix === '' ? undefined : input.prefix, {
          limit: maxResults ?? MAX_LIST_RESULTS,
          ...(input.nextToken === undefined ? {} : { nextToken: input.nextToken }),
        });
        const names = page.items.map((queue) => queue.name);
        // Without MaxResults SQS answers up to 1000 queues and no token.
        return maxResults !== undefined && page.nextToken !== undefined
          ? { names, nextToken: page.nextToken }
          : { names };
      } catch (error) {
        if (error instanceof InvalidNextTokenError) throw invalidParameterValue('Invalid NextToken value.');
        throw error;
      }
    },

    async deleteQueue(name) {
      const queue = await requireQueue(name);
      await store.deleteQueue(queue.name);
      // Long polls on it end (they find no queue).
      waiters.notify(name);
    },

    async getQueueAttributes(name, attributeNames) {
      const queue = await requireQueue(name);
      const readable = readableAttributeNames(queue.fifo);
      const wanted = new Set<string>();
      for (const attribute of attributeNames) {
        if (attribute === 'All') readable.forEach((n) => wanted.add(n));
        else if (readable.includes(attribute)) wanted.add(attribute);
        else throw invalidAttributeName(attribute);
      }
      const at = now();
      const answer: Record<string, string> = {};
      if (COMPUTED_ATTRIBUTES.some((n) => n.startsWith('Approximate') && wanted.has(n))) {
        await prune(queue, at);
        const counts = await store.countQueueMessages(name, at);
        answer.ApproximateNumberOfMessages = String(counts.visible);
        answer.ApproximateNumberOfMessagesNotVisible = String(counts.inFlight);
        answer.ApproximateNumberOfMessagesDelayed = String(counts.delayed);
      }
      answer.QueueArn = queue.arn;
      // SQS gives these two in epoch seconds.
      answer.CreatedTimestamp = String(Math.floor(queue.createdAt / 1000));
      answer.LastModifiedTimestamp = String(Math.floor(queue.updatedAt / 1000));
      Object.assign(answer, queue.attributes);
      const result: Record<string, string> = {};
      for (const attribute of readable) {
        const value = answer[attribute];
        if (wanted.has(attribute) && value !== undefined) result[attribute] = value;
      }
      return result;
    },

    async setQueueAttributes(name, attributes) {
      const queue = await requireQueue(name);
      const { FifoQueue: fifoGiven, ...rest } = attributes;
      if (fifoGiven !== undefined) {
        // The kind of a queue never changes; restating it is harmless.
        if (!queue.fifo) throw invalidAttributeName('FifoQueue');
        if (fifoGiven.toLowerCase() !== 'true')
          throw invalidValue('FifoQueue', fifoGiven, 'FifoQueue cannot be changed.');
      }
      const normal = await normalizeQueueAttributes(rest, {
        ...ctx,
        queueName: name,
        fifo: queue.fifo,
        getQueue: (n) => store.getQueue(n),
      });
      const merged = mergeAttributes(queue.attributes, normal);
      if ((await store.updateQueue({ ...queue, attributes: merged, updatedAt: now() })) === 'not-found') {
        throw queueDoesNotExist();
      }
    },

    // --- messages -----------------------------------------------------------------------------------------
    async sendMessage(name, input) {
      const queue = await requireQueue(name);
      const prepared = prepareMessage(input, queue);
      const [result] = await storeMessages(queue, [prepared]);
      if (result === undefined) throw new Error('The store answered no result for the message sent.');
      return result;
    },

    async sendMessageBatch(name, entries) {
      const queue = await requireQueue(name);
      checkBatchEntries(entries, 'SendMessageBatchRequestEntry');
      const total = entries.reduce((sum, entry) => sum + messageSize(entry.body, entry.messageAttributes), 0);
      if (total > MAX_MESSAGE_SIZE) {
        throw new SqsError(
          'BatchRequestTooLong',
          `Batch requests cannot be longer than ${MAX_MESSAGE_SIZE} bytes. You have sent ${total} bytes.`,
        );
      }
      const prepared: Array<{ id: string; message: PreparedMessage }> = [];
      const failed: BatchResult<SendMessageResult>['failed'] = [];
      for (const entry of entries) {
        try {
          prepared.push({ id: entry.id, message: prepareMessage(entry, queue) });
        } catch (error) {
          failed.push(failedEntry(entry.id, error));
        }
      }
      // The valid entries are stored in one transaction: all of them or, if the store fails, none.
      const results =
        prepared.length === 0
          ? []
          : await storeMessages(
              queue,
              prepared.map((p) => p.message),
            );
      return { successful: results.map((result, i) => ({ ...result, id: prepared[i]!.id })), failed };
    },

    async receiveMessage(name, input, signal) {
      const limit = input.maxNumberOfMessages ?? 1;
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_RECEIVE_MESSAGES) {
        throw invalidValue(
          'MaxNumberOfMessages',
          limit,
          `Must be between 1 and ${MAX_RECEIVE_MESSAGES}, if provided.`,
        );
      }
      const { waitTimeSeconds, visibilityTimeout } = input;
      if (
        waitTimeSeconds !== undefined &&
        (!Number.isInteger(waitTimeSeconds) || waitTimeSeconds < 0 || waitTimeSeconds > MAX_WAIT_TIME_SECONDS)
      ) {
        throw invalidValue(
          'WaitTimeSeconds',
          waitTimeSeconds,
          `Must be >= 0 and <= ${MAX_WAIT_TIME_SECONDS}, if provided.`,
        );
      }
      if (visibilityTimeout !== undefined) checkVisibilityTimeout(visibilityTimeout);
      const queue = await requireQueue(name);
      const systemNames = systemAttributeNames(input.attributeNames ?? []);
      const attributeFilter = messageAttributeFilter(input.messageAttributeNames ?? []);
      const waitMs =
        (waitTimeSeconds ?? Number(queue.attributes.ReceiveMessageWaitTimeSeconds ?? '0')) * 1000;
      // Real time, not now(): the wait is the caller's, whatever the clock of the stored timestamps.
      const deadline = Date.now() + waitMs;
      // A function, not a narrowed property: the signal changes while this awaits.
      const aborted = () => signal?.aborted === true;

      for (;;) {
        if (aborted()) return [];
        // Armed before looking, so that a send between the look and the sleep still wakes it.
        const waiter = waiters.arm(name);
        try {
          const found = await receiveOnce(name, limit, visibilityTimeout);
          if (found === undefined) return [];
          if (found.messages.length > 0) {
            return found.messages.map((m) => toReceived(found.queue, m, systemNames, attributeFilter));
          }
          const remaining = deadline - Date.now();
          if (closed || remaining <= 0) return [];
          // Sleep until a notify, or the next message to become visible (a delay or a visibility timeout
          // ending), whichever comes first, within the wait.
          const at = now();
          const nextVisibleAt = await store.getNextVisibleAt(name, at);
          const untilVisible = nextVisibleAt === undefined ? remaining : nextVisibleAt - at;
          const sleeping = sleepUntilWoken(waiter, Math.min(remaining, untilVisible), signal);
          options.onLongPollWait?.(name);
          await sleeping;
          if (closed || aborted()) return [];
        } finally {
          waiter.dispose();
        }
      }
    },

    async deleteMessage(name, receiptHandle) {
      await deleteByHandle(await requireQueue(name), receiptHandle);
    },

    async deleteMessageBatch(name, entries) {
      const queue = await requireQueue(name);
      checkBatchEntries(entries, 'DeleteMessageBatchRequestEntry');
      return runEntries(entries, async (entry) => {
        await deleteByHandle(queue, entry.receiptHandle);
        return {};
      });
    },

    async changeMessageVisibility(name, receiptHandle, visibilityTimeout) {
      await changeVisibilityByHandle(await requireQueue(name), receiptHandle, visibilityTimeout);
    },

    async changeMessageVisibilityBatch(name, entries) {
      const queue = await requireQueue(name);
      checkBatchEntries(entries, 'ChangeMessageVisibilityBatchRequestEntry');
      return runEntries(entries, async (entry) => {
        await changeVisibilityByHandle(queue, entry.receiptHandle, entry.visibilityTimeout);
        return {};
      });
    },

    async purgeQueue(name) {
      // SQS allows one purge a minute (PurgeQueueInProgress); Busway purges at once, every time: tests
      // and local development purge often, and nothing depends on the refusal.
      const queue = await requireQueue(name);
      await store.purgeQueue(queue.name);
    },

    // --- tags ---------------------------------------------------------------------------------------------
    async tagQueue(name, tags) {
      const queue = await requireQueue(name);
      const existing = await store.getTags(queue.arn);
      await store.tagResource(
        queue.arn,
        checkTags(
          tags,
          existing.map((tag) => tag.key),
        ),
      );
    },

    async untagQueue(name, keys) {
      const queue = await requireQueue(name);
      await store.untagResource(queue.arn, keys);
    },

    async listQueueTags(name) {
      const queue = await requireQueue(name);
      return Object.fromEntries((await store.getTags(queue.arn)).map((tag) => [tag.key, tag.value]));
    },

    // --- moving -------------------------------------------------------------------------------------------
    async moveMessages(input) {
      await requireQueue(input.from);
      await requireQueue(input.to);
      if (input.max !== undefined && (!Number.isInteger(input.max) || input.max < 1)) {
        throw invalidParameterValue(`Cannot move ${String(input.max)} messages: give a positive integer.`);
      }
      const available = (await store.countQueueMessages(input.from, now())).visible;
      const total = Math.min(available, input.max ?? available);
      let moved = 0;
      while (moved < total && !closed) {
        const n = await store.moveQueueMessages(input.from, input.to, {
          now: now(),
          limit: Math.min(MOVE_CHUNK, total - moved),
        });
        if (n === 0) break;
        moved += n;
        waiters.notify(input.to);
        input.onProgress?.(moved, total);
      }
      return moved;
    },

    close() {
      if (closed) return;
      closed = true;
      if (pruneTimer !== undefined) clearInterval(pruneTimer);
      waiters.wakeAll();
    },
  };
}

/** A batch entry's SqsError as a failed entry; any other error fails the whole call. */
function failedEntry(id: string, error: unknown): BatchResult<object>['failed'][number] {
  if (!(error instanceof SqsError)) throw error;
  return { id, code: error.sqsCode, message: error.message, senderFault: error.sender };
}

/** Attributes after a change: an empty value removes the attribute; checks those that must agree. */
function mergeAttributes(
  current: Readonly<Record<string, string>>,
  changes: Readonly<Record<string, string>>,
): Record<string, string> {
  const merged = { ...current };
  for (const [name, value] of Object.entries(changes)) {
    if (value === '') delete merged[name];
    else merged[name] = value;
  }
  checkAttributeCombination(merged);
  return merged;
}

function checkVisibilityTimeout(timeout: number): void {
  if (!Number.isInteger(timeout) || timeout < 0 || timeout > MAX_VISIBILITY_TIMEOUT) {
    throw invalidValue(
      'VisibilityTimeout',
      timeout,
      `Must be >= 0 and <= ${MAX_VISIBILITY_TIMEOUT}, if provided.`,
    );
  }
}

/**
 * SQS's SequenceNumber is a decimal string of a large, growing number; the store's seq, padded to 20
 * digits so that the strings also sort in order.
 */
function sequenceNumberOf(seq: number): string {
  return String(seq).padStart(20, '0');
}

/** The system attributes a ReceiveMessage asked for (`All` for every one; unknown names are ignored). */
function systemAttributeNames(names: readonly string[]): ReadonlySet<string> {
  if (names.includes('All')) return new Set(MESSAGE_SYSTEM_ATTRIBUTES);
  return new Set(names.filter((name) => (MESSAGE_SYSTEM_ATTRIBUTES as readonly string[]).includes(name)));
}

/** Which message attributes to return: `All` or `.*` for all, `prefix.*` for a prefix, or exact names. */
function messageAttributeFilter(names: readonly string[]): (name: string) => boolean {
  if (names.includes('All') || names.includes('.*')) return () => true;
  const exact = new Set(names.filter((n) => !n.endsWith('.*')));
  const prefixes = names.filter((n) => n.endsWith('.*')).map((n) => n.slice(0, -1));
  return (name) => exact.has(name) || prefixes.some((prefix) => name.startsWith(prefix));
}
