/**
 * The SQS-compatible queue service in domain terms. The API layer (api/operations/sqs.ts) speaks the
 * wire protocols (AWS JSON 1.0 and the older query protocol) and maps to these; the delivery engine
 * will call it directly for queue targets and dead-letter queues.
 *
 * Names are queue names (the API turns QueueUrl into a name). Attributes use AWS's attribute names
 * and string values (`VisibilityTimeout: '30'`), as SQS does on the wire, because users set and read
 * them by those names.
 */
import { BuswayError } from '../errors.js';

/**
 * An SQS error: `sqsCode` is the error code SQS returns (QueueDoesNotExist, ReceiptHandleIsInvalid,
 * InvalidParameterValue, QueueNameExists, MessageNotInflight, TooManyEntriesInBatchRequest,
 * BatchEntryIdsNotDistinct, EmptyBatchRequest, InvalidAttributeName, InvalidMessageContents,
 * PurgeQueueInProgress, UnsupportedOperation, InvalidBatchEntryId, BatchRequestTooLong, ...);
 * the API renders it in the caller's protocol.
 */
export class SqsError extends BuswayError {
  readonly sqsCode: string;
  /** Whether the fault is the sender's (all of them so far). */
  readonly sender: boolean;

  constructor(sqsCode: string, message: string, sender = true) {
    super(`SQS_${sqsCode}`, message);
    this.sqsCode = sqsCode;
    this.sender = sender;
  }
}

export interface QueueInfo {
  name: string;
  arn: string;
  fifo: boolean;
  /** Settable attributes as stored (AWS names, string values), defaults filled in. */
  attributes: Record<string, string>;
  createdAt: number;
  updatedAt: number;
}

export interface MessageAttributeValue {
  dataType: string;
  stringValue?: string;
  /** Base64 text. */
  binaryValue?: string;
}

export interface SendMessageInput {
  body: string;
  delaySeconds?: number;
  messageAttributes?: Record<string, MessageAttributeValue>;
  messageSystemAttributes?: Record<string, MessageAttributeValue>;
  messageGroupId?: string;
  messageDeduplicationId?: string;
}

export interface SendMessageResult {
  messageId: string;
  md5OfMessageBody: string;
  md5OfMessageAttributes?: string;
  md5OfMessageSystemAttributes?: string;
  sequenceNumber?: string;
}

export interface BatchResult<T> {
  successful: Array<T & { id: string }>;
  failed: Array<{ id: string; code: string; message: string; senderFault: boolean }>;
}

export interface ReceiveMessageInput {
  maxNumberOfMessages?: number;
  visibilityTimeout?: number;
  waitTimeSeconds?: number;
  /** System attribute names to return (`All`, `ApproximateReceiveCount`, `SentTimestamp`, ...). */
  attributeNames?: string[];
  /** Message attribute names to return (`All`, `.*` suffixes, exact names). */
  messageAttributeNames?: string[];
  receiveRequestAttemptId?: string;
}

export interface ReceivedMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
  md5OfBody: string;
  attributes?: Record<string, string>;
  messageAttributes?: Record<string, MessageAttributeValue>;
  md5OfMessageAttributes?: string;
}

export interface QueueService {
  /** Idempotent for identical attributes; QueueNameExists when they differ (as SQS). */
  createQueue(input: {
    name: string;
    attributes?: Record<string, string>;
    tags?: Record<string, string>;
  }): Promise<QueueInfo>;
  getQueue(name: string): Promise<QueueInfo>;
  listQueues(input: {
    prefix?: string;
    nextToken?: string;
    maxResults?: number;
  }): Promise<{ names: string[]; nextToken?: string }>;
  deleteQueue(name: string): Promise<void>;
  /** Stored plus computed attributes (ApproximateNumberOfMessages*, QueueArn, CreatedTimestamp, ...). */
  getQueueAttributes(name: string, attributeNames: string[]): Promise<Record<string, string>>;
  setQueueAttributes(name: string, attributes: Record<string, string>): Promise<void>;
  sendMessage(name: string, input: SendMessageInput): Promise<SendMessageResult>;
  sendMessageBatch(
    name: string,
    entries: Array<SendMessageInput & { id: string }>,
  ): Promise<BatchResult<SendMessageResult>>;
  /** Long polls up to waitTimeSeconds, answering as soon as a message is available; `signal` aborts the wait. */
  receiveMessage(name: string, input: ReceiveMessageInput, signal?: AbortSignal): Promise<ReceivedMessage[]>;
  deleteMessage(name: string, receiptHandle: string): Promise<void>;
  deleteMessageBatch(
    name: string,
    entries: Array<{ id: string; receiptHandle: string }>,
  ): Promise<BatchResult<object>>;
  changeMessageVisibility(name: string, receiptHandle: string, visibilityTimeout: number): Promise<void>;
  changeMessageVisibilityBatch(
    name: string,
    entries: Array<{ id: string; receiptHandle: string; visibilityTimeout: number }>,
  ): Promise<BatchResult<object>>;
  purgeQueue(name: string): Promise<void>;
  tagQueue(name: string, tags: Record<string, string>): Promise<void>;
  untagQueue(name: string, keys: string[]): Promise<void>;
  listQueueTags(name: string): Promise<Record<string, string>>;
  /**
   * Moves up to `max` messages (all when absent) from a queue, oldest first, to another queue;
   * returns how many moved. Redrive from a dead-letter queue back to its source.
   */
  moveMessages(input: {
    from: string;
    to: string;
    max?: number;
    onProgress?: (moved: number, total: number) => void;
  }): Promise<number>;
  /** Stops long polls (shutdown). */
  close(): void;
}
