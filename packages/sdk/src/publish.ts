/**
 * Publishing: entries checked here (so a mistake names the entry and the field), split into PutEvents
 * calls of at most 10 entries and 256 KiB (EventBridge's limits), entries failed with a retryable code
 * sent again with backoff, and one result per entry in the order given, in the shape workflow connectors
 * return: `{ requestId, FailedEntryCount, entries: [{ eventId, errorCode, errorMessage }] }`.
 *
 * Whole-call failures (network, 5xx, throttling of the call) are retried by the AWS SDK itself
 * (`maxAttempts`); what is left of them is thrown as ServiceCallError.
 */
import {
  PutEventsCommand,
  type EventBridgeClient,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { describeValue, InvalidArgumentError, ServiceCallError } from './errors.js';

/** One event to publish. */
export interface EventEntry {
  source: string;
  detailType: string;
  /** A JSON object, or its JSON text. */
  detail: Record<string, unknown> | string;
  /** A bus name or ARN; the default bus when absent. */
  eventBusName?: string;
  resources?: readonly string[];
  time?: Date;
  /** An X-Ray trace header. */
  traceHeader?: string;
}

export interface PublishedEntry {
  eventId?: string;
  errorCode?: string;
  errorMessage?: string;
}

export interface PublishResult {
  /** The request id of the first PutEvents call (all of them are in `requestIds`). */
  requestId: string | undefined;
  requestIds: string[];
  FailedEntryCount: number;
  /** One per entry, in the order given. */
  entries: PublishedEntry[];
}

export interface PublishOptions {
  /** How many times an entry failed with a retryable code is sent again (default 3). */
  retries?: number;
  /** The first retry's delay; each later one doubles it, with jitter (default 100 ms). */
  retryBaseDelayMs?: number;
}

/** Per-entry error codes worth sending again: the service was busy or failed, not the entry. */
export const RETRYABLE_ENTRY_CODES: ReadonlySet<string> = new Set([
  'ThrottlingException',
  'InternalFailure',
  'InternalException',
  'ServiceUnavailable',
]);

export const MAX_ENTRIES_PER_CALL = 10;
/** EventBridge's limit for a PutEvents request, counted as AWS documents (see entrySize). */
export const MAX_CALL_BYTES = 256 * 1024;

export async function publishEntries(
  client: EventBridgeClient,
  input: EventEntry | readonly EventEntry[],
  options: PublishOptions = {},
): Promise<PublishResult> {
  const list: readonly EventEntry[] = Array.isArray(input) ? input : [input as EventEntry];
  const retries = checkCount(options.retries ?? 3, 'retries');
  const baseDelay = checkCount(options.retryBaseDelayMs ?? 100, 'retryBaseDelayMs');
  const wire = list.map((entry, index) =>
    toWire(entry, Array.isArray(input) ? `entries[${index}]` : 'entry'),
  );

  const results: PublishedEntry[] = wire.map(() => ({}));
  const requestIds: string[] = [];
  let pending = wire.map((_, index) => index);
  for (let attempt = 0; pending.length > 0; attempt += 1) {
    if (attempt > 0) await delay(backoff(baseDelay, attempt));
    const retry: number[] = [];
    for (const batch of batches(pending, wire)) {
      const entries = batch.map((index) => wire[index] as PutEventsRequestEntry);
      let output;
      try {
        output = await client.send(new PutEventsCommand({ Entries: entries }));
      } catch (error) {
        throw callFailure(error);
      }
      if (output.$metadata.requestId !== undefined) requestIds.push(output.$metadata.requestId);
      batch.forEach((index, position) => {
        const answer = output.Entries?.[position] ?? {};
        const result: PublishedEntry = {};
        if (answer.EventId !== undefined) result.eventId = answer.EventId;
        if (answer.ErrorCode !== undefined) result.errorCode = answer.ErrorCode;
        if (answer.ErrorMessage !== undefined) result.errorMessage = answer.ErrorMessage;
        results[index] = result;
        if (
          answer.ErrorCode !== undefined &&
          RETRYABLE_ENTRY_CODES.has(answer.ErrorCode) &&
          attempt < retries
        ) {
          retry.push(index);
        }
      });
    }
    pending = retry;
  }
  return {
    requestId: requestIds[0],
    requestIds,
    FailedEntryCount: results.filter((result) => result.errorCode !== undefined).length,
    entries: results,
  };
}

/** An entry on the wire, after checking every field. */
export function toWire(entry: EventEntry, at: string): PutEventsRequestEntry {
  if (entry === null || typeof entry !== 'object') {
    throw new InvalidArgumentError(
      `${at} must be an object with source, detailType and detail, got ${describeValue(entry)}.`,
    );
  }
  const source = requireText(entry.source, `${at}.source`, 256);
  const detailType = requireText(entry.detailType, `${at}.detailType`, 128);
  let detail: string;
  if (typeof entry.detail === 'string') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(entry.detail);
    } catch {
      throw new InvalidArgumentError(
        `${at}.detail must be a JSON object or its JSON text; the text given is not JSON.`,
      );
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new InvalidArgumentError(
        `${at}.detail must be a JSON object (EventBridge accepts only objects), got ${describeValue(parsed)}.`,
      );
    }
    detail = entry.detail;
  } else if (entry.detail !== null && typeof entry.detail === 'object' && !Array.isArray(entry.detail)) {
    detail = JSON.stringify(entry.detail);
  } else {
    throw new InvalidArgumentError(
      `${at}.detail must be a JSON object or its JSON text, got ${describeValue(entry.detail)}.`,
    );
  }
  const wire: PutEventsRequestEntry = { Source: source, DetailType: detailType, Detail: detail };
  if (entry.eventBusName !== undefined)
    wire.EventBusName = requireText(entry.eventBusName, `${at}.eventBusName`, 1600);
  if (entry.resources !== undefined) {
    if (!Array.isArray(entry.resources) || entry.resources.some((r) => typeof r !== 'string')) {
      throw new InvalidArgumentError(`${at}.resources must be a list of ARN strings.`);
    }
    wire.Resources = [...entry.resources];
  }
  if (entry.time !== undefined) {
    if (!(entry.time instanceof Date) || Number.isNaN(entry.time.getTime())) {
      throw new InvalidArgumentError(`${at}.time must be a valid Date, got ${describeValue(entry.time)}.`);
    }
    wire.Time = entry.time;
  }
  if (entry.traceHeader !== undefined)
    wire.TraceHeader = requireText(entry.traceHeader, `${at}.traceHeader`, 500);
  if (entrySize(wire) > MAX_CALL_BYTES) {
    throw new InvalidArgumentError(
      `${at} is ${entrySize(wire)} bytes; EventBridge accepts at most ${MAX_CALL_BYTES} bytes per event (source, detail-type, detail and resources): store the payload elsewhere and send a reference.`,
    );
  }
  return wire;
}

/** AWS's entry size: Source, DetailType, Detail and Resources in UTF-8, 14 bytes for Time. */
export function entrySize(entry: PutEventsRequestEntry): number {
  let size = entry.Time === undefined ? 0 : 14;
  for (const text of [entry.Source, entry.DetailType, entry.Detail, ...(entry.Resources ?? [])]) {
    if (text !== undefined) size += Buffer.byteLength(text, 'utf8');
  }
  return size;
}

/** Indexes grouped into calls of at most 10 entries and 256 KiB, in order. */
function batches(indexes: readonly number[], wire: readonly PutEventsRequestEntry[]): number[][] {
  const out: number[][] = [];
  let current: number[] = [];
  let bytes = 0;
  for (const index of indexes) {
    const size = entrySize(wire[index] as PutEventsRequestEntry);
    if (current.length === MAX_ENTRIES_PER_CALL || (current.length > 0 && bytes + size > MAX_CALL_BYTES)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(index);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

function requireText(value: unknown, at: string, max: number): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > max) {
    throw new InvalidArgumentError(
      `${at} must be a non-empty string of at most ${max} characters, got ${describeValue(value)}.`,
    );
  }
  return value;
}

function checkCount(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new InvalidArgumentError(`${name} must be an integer of 0 or more, got ${describeValue(value)}.`);
  }
  return value;
}

function backoff(baseMs: number, attempt: number): number {
  const ceiling = baseMs * 2 ** (attempt - 1);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A failed AWS SDK call as a ServiceCallError with the exception's name and status. */
export function callFailure(error: unknown): ServiceCallError {
  const e = error as { name?: unknown; message?: unknown; $metadata?: { httpStatusCode?: number } };
  const type = typeof e?.name === 'string' ? e.name : 'Error';
  const message = typeof e?.message === 'string' ? e.message : String(error);
  return new ServiceCallError(type, `${type}: ${message}`, e?.$metadata?.httpStatusCode, { cause: error });
}
