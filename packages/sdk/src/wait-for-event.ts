/**
 * Waiting for an event (an intermediate catch step of a workflow), Busway only: a live tail of the bus
 * (`GET /busway/tail?bus=&pattern=`, server-sent events, signed for `busway`) filtered on the server by
 * the pattern with the correlation values merged in. `startWaitingForEvent` resolves once the server
 * has subscribed the stream, so an event published after it is never missed; events published before
 * are not seen (the tail is live, not a history).
 */
import { parsePattern, InvalidPatternError, type JsonObject } from '@busway/patterns';
import type { BuswayCalls } from './busway-calls.js';
import { describeValue, InvalidArgumentError, toError, WaitForEventTimeoutError } from './errors.js';

/** An EventBridge event envelope, as rules, targets and the tail see it. */
export interface BusEvent<D = Record<string, unknown>> {
  version: string;
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: D;
  'replay-name'?: string;
}

export type CorrelationValue = string | number | boolean;

export interface WaitForEventOptions {
  /** An EventBridge event pattern (object or JSON text). */
  pattern: Record<string, unknown> | string;
  /**
   * Values the event must have, by dotted path into the envelope (`{ 'detail.orderId': 'o-1' }`):
   * merged into the pattern as exact matches.
   */
  correlation?: Record<string, CorrelationValue>;
  /** How long to wait, in milliseconds. */
  timeout: number;
  /** Bus name or ARN (default `default`). */
  eventBusName?: string;
  signal?: AbortSignal;
}

export interface EventWaiter {
  /** The first matching event; rejects with WaitForEventTimeoutError after the timeout. */
  readonly event: Promise<BusEvent>;
  /** Stops waiting; `event` then rejects with the abort reason. */
  cancel(): void;
}

export async function startWaitingForEvent(
  calls: BuswayCalls,
  options: WaitForEventOptions,
): Promise<EventWaiter> {
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError(
      'waitForEvent needs { pattern, timeout } (and optionally correlation, eventBusName).',
    );
  }
  const timeout = options.timeout;
  if (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout <= 0) {
    throw new InvalidArgumentError(
      `timeout must be a positive number of milliseconds, got ${describeValue(timeout)}.`,
    );
  }
  const pattern = withCorrelation(patternObject(options.pattern), options.correlation ?? {});
  try {
    parsePattern(pattern as JsonObject);
  } catch (error) {
    if (error instanceof InvalidPatternError) {
      throw new InvalidArgumentError(`pattern is not a valid EventBridge pattern: ${error.message}`, {
        cause: error,
      });
    }
    throw error;
  }
  const bus = options.eventBusName ?? 'default';
  if (typeof bus !== 'string' || bus === '') {
    throw new InvalidArgumentError(`eventBusName must be a bus name or ARN, got ${describeValue(bus)}.`);
  }

  const controller = new AbortController();
  const onAbort = (): void => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const query = new URLSearchParams({ bus, pattern: JSON.stringify(pattern) });
  let response: Response;
  try {
    response = await calls.get(`/busway/tail?${query.toString()}`, controller.signal);
  } catch (error) {
    options.signal?.removeEventListener('abort', onAbort);
    throw error;
  }
  const body = response.body;
  if (body === null) throw new InvalidArgumentError('The tail answered without a body.');
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';

  /** The next complete SSE block (`event:`/`data:` lines up to a blank line), or undefined at the end. */
  const nextBlock = async (): Promise<string | undefined> => {
    for (;;) {
      const end = buffer.search(/\r?\n\r?\n/);
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
        return block;
      }
      const chunk = await reader.read();
      if (chunk.done) return undefined;
      buffer += decoder.decode(chunk.value, { stream: true });
    }
  };

  const cleanup = (): void => {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    controller.abort();
  };
  const timer = setTimeout(() => {
    controller.abort(
      new WaitForEventTimeoutError(
        `No event matching ${JSON.stringify(pattern)} arrived on bus ${bus} within ${timeout} ms.`,
      ),
    );
  }, timeout);

  // The server writes `: tailing bus NAME` right after subscribing the stream.
  const first = await nextBlock().catch((error: unknown) => {
    cleanup();
    throw toError(controller.signal.reason ?? error);
  });
  if (first === undefined) {
    cleanup();
    throw new InvalidArgumentError(`The tail of bus ${bus} ended before it started.`);
  }

  const event = (async (): Promise<BusEvent> => {
    try {
      for (;;) {
        const block = await nextBlock();
        if (block === undefined)
          throw new WaitForEventTimeoutError(`The tail of bus ${bus} ended (server shutting down?).`);
        const lines = block.split(/\r?\n/);
        if (!lines.includes('event: event')) continue;
        const data = lines
          .filter((line) => line.startsWith('data: '))
          .map((line) => line.slice(6))
          .join('\n');
        return JSON.parse(data) as BusEvent;
      }
    } catch (error) {
      throw toError(controller.signal.aborted ? (controller.signal.reason ?? error) : error);
    } finally {
      cleanup();
      void reader.cancel().catch(() => undefined);
    }
  })();
  // A caller that never awaits `event` (cancelled waits) must not see an unhandled rejection.
  event.catch(() => undefined);
  return { event, cancel: () => controller.abort(new Error('waitForEvent was cancelled.')) };
}

function patternObject(pattern: unknown): Record<string, unknown> {
  let value = pattern;
  if (typeof pattern === 'string') {
    try {
      value = JSON.parse(pattern);
    } catch {
      throw new InvalidArgumentError(
        'pattern must be an EventBridge pattern object or its JSON text; the text is not JSON.',
      );
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidArgumentError(
      `pattern must be an EventBridge pattern object, got ${describeValue(value)}.`,
    );
  }
  return structuredClone(value as Record<string, unknown>);
}

/** The pattern with each correlation value as an exact match at its path. */
function withCorrelation(
  pattern: Record<string, unknown>,
  correlation: Record<string, CorrelationValue>,
): Record<string, unknown> {
  if (correlation === null || typeof correlation !== 'object') {
    throw new InvalidArgumentError(
      `correlation must be an object of dotted paths to values, got ${describeValue(correlation)}.`,
    );
  }
  for (const [path, value] of Object.entries(correlation)) {
    if (!['string', 'number', 'boolean'].includes(typeof value)) {
      throw new InvalidArgumentError(
        `correlation['${path}'] must be a string, number or boolean, got ${describeValue(value)}.`,
      );
    }
    const keys = path.split('.');
    if (keys.some((key) => key === '')) {
      throw new InvalidArgumentError(
        `correlation path '${path}' must be dotted member names such as 'detail.orderId'.`,
      );
    }
    let node = pattern;
    keys.forEach((key, index) => {
      const existing = node[key];
      if (index === keys.length - 1) {
        if (existing !== undefined) {
          throw new InvalidArgumentError(
            `correlation path '${path}' is also in the pattern; put the value in one of them only.`,
          );
        }
        node[key] = [value];
        return;
      }
      if (existing === undefined) node[key] = {};
      else if (existing === null || typeof existing !== 'object' || Array.isArray(existing)) {
        throw new InvalidArgumentError(`correlation path '${path}' runs into a pattern leaf at '${key}'.`);
      }
      node = node[key] as Record<string, unknown>;
    });
  }
  return pattern;
}
