/**
 * Queue attributes: which names SQS knows, their ranges and defaults, and the normal form each is
 * stored and returned in. Settable attributes live in the store by their AWS names as strings, defaults
 * filled in at creation, so GetQueueAttributes returns what SQS would without recomputing them.
 *
 * Ranges and defaults are SQS's (API reference, SetQueueAttributes): DelaySeconds 0-900 (0),
 * MaximumMessageSize 1024-262144 (262144), MessageRetentionPeriod 60-1209600 (345600),
 * ReceiveMessageWaitTimeSeconds 0-20 (0), VisibilityTimeout 0-43200 (30), KmsDataKeyReusePeriodSeconds
 * 60-86400; FIFO queues add FifoQueue, ContentBasedDeduplication (false), DeduplicationScope (queue) and
 * FifoThroughputLimit (perQueue). SQS raised its own message limit to 1 MiB in 2025; Busway keeps the
 * 256 KiB limit its SQS-compatible clients were written against.
 */
import type { ArnContext } from '../bus/arns.js';
import type { QueueRecord } from '../store/store.js';
import { queueNameOfArn } from './arns.js';
import { invalidAttributeName, invalidAttributeValue, invalidValue } from './queue-errors.js';

export const MAX_MESSAGE_SIZE = 262_144;
export const MAX_VISIBILITY_TIMEOUT = 43_200;
export const MAX_DELAY_SECONDS = 900;
export const MAX_WAIT_TIME_SECONDS = 20;
export const MAX_RECEIVE_COUNT_LIMIT = 1000;

type AttributeSpec =
  | { kind: 'integer'; min: number; max: number; default?: number; fifoOnly?: boolean }
  | { kind: 'boolean'; default?: boolean; fifoOnly?: boolean }
  | { kind: 'enum'; values: readonly string[]; default: string; fifoOnly: true }
  /** JSON or free text that an empty string removes. */
  | { kind: 'removable'; fifoOnly?: false };

const SETTABLE: Readonly<Record<string, AttributeSpec>> = {
  DelaySeconds: { kind: 'integer', min: 0, max: MAX_DELAY_SECONDS, default: 0 },
  MaximumMessageSize: { kind: 'integer', min: 1024, max: MAX_MESSAGE_SIZE, default: MAX_MESSAGE_SIZE },
  MessageRetentionPeriod: { kind: 'integer', min: 60, max: 1_209_600, default: 345_600 },
  ReceiveMessageWaitTimeSeconds: { kind: 'integer', min: 0, max: MAX_WAIT_TIME_SECONDS, default: 0 },
  VisibilityTimeout: { kind: 'integer', min: 0, max: MAX_VISIBILITY_TIMEOUT, default: 30 },
  Policy: { kind: 'removable' },
  RedrivePolicy: { kind: 'removable' },
  RedriveAllowPolicy: { kind: 'removable' },
  KmsMasterKeyId: { kind: 'removable' },
  KmsDataKeyReusePeriodSeconds: { kind: 'integer', min: 60, max: 86_400 },
  // SQS enables SSE-SQS on new queues by default (since 2022); Busway stores, never encrypts.
  SqsManagedSseEnabled: { kind: 'boolean', default: true },
  FifoQueue: { kind: 'boolean', fifoOnly: true },
  ContentBasedDeduplication: { kind: 'boolean', default: false, fifoOnly: true },
  DeduplicationScope: { kind: 'enum', values: ['messageGroup', 'queue'], default: 'queue', fifoOnly: true },
  FifoThroughputLimit: {
    kind: 'enum',
    values: ['perQueue', 'perMessageGroupId'],
    default: 'perQueue',
    fifoOnly: true,
  },
};

/** Attributes computed when read, never set. */
export const COMPUTED_ATTRIBUTES = [
  'QueueArn',
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
] as const;

/** Every attribute name GetQueueAttributes answers for a queue of this kind (what `All` means). */
export function readableAttributeNames(fifo: boolean): string[] {
  const settable = Object.entries(SETTABLE)
    .filter(([, spec]) => fifo || spec.fifoOnly !== true)
    .map(([name]) => name);
  return [...COMPUTED_ATTRIBUTES, ...settable];
}

/** The attributes of a new queue before the caller's: every default of its kind. */
export function defaultQueueAttributes(fifo: boolean): Record<string, string> {
  const defaults: Record<string, string> = {};
  for (const [name, spec] of Object.entries(SETTABLE)) {
    if (spec.fifoOnly === true && !fifo) continue;
    if (spec.kind !== 'removable' && spec.default !== undefined) defaults[name] = String(spec.default);
  }
  if (fifo) defaults.FifoQueue = 'true';
  return defaults;
}

export interface AttributeContext extends ArnContext {
  /** The queue being created or changed. */
  queueName: string;
  fifo: boolean;
  /** Looks up a RedrivePolicy's dead-letter queue. */
  getQueue(name: string): Promise<QueueRecord | undefined>;
}

/**
 * Checks attributes given to CreateQueue or SetQueueAttributes and returns them in normal form
 * (integers without leading zeros or signs, booleans in lower case, policies as compact JSON). An empty
 * string stays empty: it removes a removable attribute. Throws InvalidAttributeName for a name SQS does
 * not know for this kind of queue and InvalidAttributeValue / InvalidParameterValue for a bad value.
 */
export async function normalizeQueueAttributes(
  given: Readonly<Record<string, string>>,
  ctx: AttributeContext,
): Promise<Record<string, string>> {
  const normal: Record<string, string> = {};
  for (const [name, value] of Object.entries(given)) {
    const spec = Object.hasOwn(SETTABLE, name) ? SETTABLE[name] : undefined;
    if (spec === undefined || (spec.fifoOnly === true && !ctx.fifo)) throw invalidAttributeName(name);
    normal[name] = await normalizeValue(name, value, spec, ctx);
  }
  return normal;
}

async function normalizeValue(name: string, value: string, spec: AttributeSpec, ctx: AttributeContext) {
  switch (spec.kind) {
    case 'integer': {
      if (!/^[+-]?\d{1,10}$/.test(value)) throw invalidAttributeValue(name);
      const n = Number(value);
      if (n < spec.min || n > spec.max) throw invalidAttributeValue(name);
      return String(n);
    }
    case 'boolean': {
      const lower = value.toLowerCase();
      if (lower !== 'true' && lower !== 'false') throw invalidAttributeValue(name);
      return lower;
    }
    case 'enum':
      if (!spec.values.includes(value)) throw invalidAttributeValue(name);
      return value;
    case 'removable':
      if (value === '') return '';
      if (name === 'RedrivePolicy') return normalizeRedrivePolicy(value, ctx);
      if (name === 'RedriveAllowPolicy') return normalizeRedriveAllowPolicy(value);
      if (name === 'Policy') {
        if (!isJsonObject(value)) throw invalidAttributeValue(name);
        return value;
      }
      return value;
  }
}

/** Checks attributes that must agree with each other, on the attributes a queue would end up with. */
export function checkAttributeCombination(attributes: Readonly<Record<string, string>>): void {
  // SQS's high-throughput mode: per-group throughput needs per-group deduplication.
  if (attributes.FifoThroughputLimit === 'perMessageGroupId' && attributes.DeduplicationScope === 'queue') {
    throw invalidAttributeValue('FifoThroughputLimit');
  }
}

function isJsonObject(text: string): boolean {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
  } catch {
    return false;
  }
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  return isJsonObject(text) ? (JSON.parse(text) as Record<string, unknown>) : undefined;
}

/** A stored (normal) RedrivePolicy, read back. */
export interface RedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

export function parseRedrivePolicy(stored: string | undefined): RedrivePolicy | undefined {
  if (stored === undefined || stored === '') return undefined;
  return JSON.parse(stored) as RedrivePolicy;
}

/**
 * RedrivePolicy: `{"deadLetterTargetArn": "<queue ARN>", "maxReceiveCount": 1-1000}` (the count may
 * come as a string, as the console sends it); the target must exist in this region and account and be
 * of the same kind (FIFO or standard), and its RedriveAllowPolicy must let this queue use it.
 */
async function normalizeRedrivePolicy(value: string, ctx: AttributeContext): Promise<string> {
  const fail = (reason: string) => invalidValue('RedrivePolicy', value, reason);
  const policy = parseJsonObject(value);
  if (policy === undefined) throw fail('Redrive policy is not a valid JSON map.');
  const { deadLetterTargetArn, maxReceiveCount } = policy;
  if (deadLetterTargetArn === undefined) {
    throw fail('Redrive policy does not contain mandatory attribute: deadLetterTargetArn.');
  }
  if (maxReceiveCount === undefined) {
    throw fail('Redrive policy does not contain mandatory attribute: maxReceiveCount.');
  }
  const count = typeof maxReceiveCount === 'string' ? Number(maxReceiveCount) : maxReceiveCount;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_RECEIVE_COUNT_LIMIT) {
    throw fail(
      `Invalid value for maxReceiveCount: ${String(maxReceiveCount)}, valid values are from 1 to ` +
        `${MAX_RECEIVE_COUNT_LIMIT} both inclusive.`,
    );
  }
  const targetName =
    typeof deadLetterTargetArn === 'string' ? queueNameOfArn(ctx, deadLetterTargetArn) : undefined;
  const target = targetName === undefined ? undefined : await ctx.getQueue(targetName);
  if (target === undefined) throw fail('Dead letter target does not exist.');
  if (target.fifo !== ctx.fifo) throw fail('Dead-letter queue must be same type of queue as the source.');
  const allow = parseJsonObject(target.attributes.RedriveAllowPolicy ?? '');
  const sourceArn = `arn:aws:sqs:${ctx.region}:${ctx.accountId}:${ctx.queueName}`;
  const allowed =
    allow === undefined ||
    allow.redrivePermission === 'allowAll' ||
    (allow.redrivePermission === 'byQueue' &&
      Array.isArray(allow.sourceQueueArns) &&
      allow.sourceQueueArns.includes(sourceArn));
  if (!allowed) {
    throw fail(`Queue ${target.arn} does not allow this queue to use it as a dead-letter queue.`);
  }
  return JSON.stringify({ deadLetterTargetArn: target.arn, maxReceiveCount: count });
}

/**
 * RedriveAllowPolicy: `{"redrivePermission": "allowAll" | "denyAll" | "byQueue", "sourceQueueArns":
 * [1 to 10 ARNs, with byQueue only]}`.
 */
function normalizeRedriveAllowPolicy(value: string): string {
  const fail = (reason: string) => invalidValue('RedriveAllowPolicy', value, reason);
  const policy = parseJsonObject(value);
  if (policy === undefined) throw fail('Redrive allow policy is not a valid JSON map.');
  const { redrivePermission, sourceQueueArns } = policy;
  if (
    redrivePermission !== 'allowAll' &&
    redrivePermission !== 'denyAll' &&
    redrivePermission !== 'byQueue'
  ) {
    throw fail('redrivePermission must be one of allowAll, denyAll or byQueue.');
  }
  if (redrivePermission !== 'byQueue') {
    if (sourceQueueArns !== undefined) {
      throw fail('sourceQueueArns can only be given when redrivePermission is byQueue.');
    }
    return JSON.stringify({ redrivePermission });
  }
  if (
    !Array.isArray(sourceQueueArns) ||
    sourceQueueArns.length < 1 ||
    sourceQueueArns.length > 10 ||
    !sourceQueueArns.every((arn) => typeof arn === 'string')
  ) {
    throw fail('sourceQueueArns must list 1 to 10 queue ARNs when redrivePermission is byQueue.');
  }
  return JSON.stringify({ redrivePermission, sourceQueueArns });
}
