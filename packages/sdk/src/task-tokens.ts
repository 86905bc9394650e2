/**
 * Request/reply over the bus with task tokens (Busway only; docs/task-tokens.md): `putEventAndWait`
 * creates a task (Busway.CreateTask), publishes the event with the token in its detail, and long-polls
 * Busway.WaitForTask until the consumer answers with Step Functions' SendTaskSuccess / SendTaskFailure
 * (for example with `@aws-sdk/client-sfn` pointed at Busway) or the task times out.
 */
import type { BuswayCalls } from './busway-calls.js';
import {
  describeValue,
  InvalidArgumentError,
  PublishFailedError,
  TaskFailedError,
  TaskTimedOutError,
} from './errors.js';
import type { EventEntry, PublishResult } from './publish.js';

export interface PutEventAndWaitOptions {
  /** How long the consumer has to answer, in milliseconds (rounded up to whole seconds, at least 1 s). */
  timeout: number;
  /** With heartbeats: the longest gap between SendTaskHeartbeat calls, in milliseconds. */
  heartbeat?: number;
  /** The member of the event's detail that carries the token (default `taskToken`). */
  tokenField?: string;
  /** Stops waiting (the task itself stays until it times out). */
  signal?: AbortSignal;
}

export interface TaskOutcome<T> {
  /** SendTaskSuccess's output, parsed. */
  output: T;
  eventId: string;
  taskToken: string;
}

const MAX_POLL_SECONDS = 20;

export async function putEventAndWait<T>(
  calls: BuswayCalls,
  publish: (entry: EventEntry) => Promise<PublishResult>,
  entry: EventEntry,
  options: PutEventAndWaitOptions,
): Promise<TaskOutcome<T>> {
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError(
      'putEventAndWait needs options with a timeout in milliseconds: { timeout: 30_000 }.',
    );
  }
  const timeoutSeconds = seconds(options.timeout, 'timeout');
  const heartbeatSeconds =
    options.heartbeat === undefined ? undefined : seconds(options.heartbeat, 'heartbeat');
  if (heartbeatSeconds !== undefined && heartbeatSeconds >= timeoutSeconds) {
    throw new InvalidArgumentError(
      `heartbeat (${options.heartbeat} ms) must be shorter than timeout (${options.timeout} ms), in whole seconds.`,
    );
  }
  const tokenField = options.tokenField ?? 'taskToken';
  if (typeof tokenField !== 'string' || tokenField === '') {
    throw new InvalidArgumentError(
      `tokenField must be a non-empty string, got ${describeValue(tokenField)}.`,
    );
  }
  const detail = detailObject(entry);

  const created = await calls.call('CreateTask', {
    TimeoutSeconds: timeoutSeconds,
    ...(heartbeatSeconds !== undefined && { HeartbeatSeconds: heartbeatSeconds }),
  });
  const taskToken = String(created['TaskToken']);
  const published = await publish({ ...entry, detail: { ...detail, [tokenField]: taskToken } });
  const result = published.entries[0];
  if (result?.eventId === undefined || result.errorCode !== undefined) {
    throw new PublishFailedError(
      result?.errorCode ?? 'Unknown',
      `The event carrying the task token was not published: ${result?.errorCode ?? 'no result'}: ${result?.errorMessage ?? ''}`,
    );
  }

  for (;;) {
    options.signal?.throwIfAborted();
    const task = await calls.call(
      'WaitForTask',
      { TaskToken: taskToken, WaitTimeSeconds: MAX_POLL_SECONDS },
      options.signal,
    );
    switch (task['Status']) {
      case 'PENDING':
        continue;
      case 'SUCCEEDED':
        return { output: JSON.parse(String(task['Output'])) as T, eventId: result.eventId, taskToken };
      case 'FAILED':
        throw new TaskFailedError(optionalText(task['Error']), optionalText(task['Cause']));
      default: {
        const error = optionalText(task['Error']) ?? 'States.Timeout';
        throw new TaskTimedOutError(
          error,
          `No answer to the task in time (${error}): ${optionalText(task['Cause']) ?? ''}`,
        );
      }
    }
  }
}

/** The member of a received event's detail that carries the task token (default `taskToken`). */
export function taskTokenOf(event: { detail?: unknown }, tokenField = 'taskToken'): string {
  const detail = event?.detail;
  const token =
    detail !== null && typeof detail === 'object'
      ? (detail as Record<string, unknown>)[tokenField]
      : undefined;
  if (typeof token !== 'string' || token === '') {
    throw new InvalidArgumentError(
      `The event has no task token at detail.${tokenField}: was it published with putEventAndWait (and the same tokenField)?`,
    );
  }
  return token;
}

function seconds(ms: unknown, name: string): number {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms <= 0) {
    throw new InvalidArgumentError(
      `${name} must be a positive number of milliseconds, got ${describeValue(ms)}.`,
    );
  }
  return Math.max(1, Math.ceil(ms / 1000));
}

function detailObject(entry: EventEntry): Record<string, unknown> {
  const detail: unknown = typeof entry?.detail === 'string' ? safeParse(entry.detail) : entry?.detail;
  if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) {
    throw new InvalidArgumentError(
      'entry.detail must be a JSON object for putEventAndWait: the task token is added to it as a member.',
    );
  }
  return detail as Record<string, unknown>;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function optionalText(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
