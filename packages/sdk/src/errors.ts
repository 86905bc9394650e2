/**
 * The SDK's errors. Each has a stable `code` and a message that says what to fix; subclasses by meaning.
 * Errors from AWS or Busway calls keep the service's exception name (`awsType`) and the original as `cause`.
 */
export class BuswaySdkError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** An argument the SDK cannot use; the message names it (`entries[3].detailType`) and what it must be. */
export class InvalidArgumentError extends BuswaySdkError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_ARGUMENT', message, options);
  }
}

/** A call to EventBridge or Busway that failed as a whole (after the AWS SDK's own retries). */
export class ServiceCallError extends BuswaySdkError {
  /** The service's exception name (`ValidationException`, `ResourceNotFoundException`, ...). */
  readonly awsType: string;
  readonly statusCode: number | undefined;

  constructor(
    awsType: string,
    message: string,
    statusCode: number | undefined,
    options?: { cause?: unknown },
  ) {
    super('SERVICE_CALL_FAILED', message, options);
    this.awsType = awsType;
    this.statusCode = statusCode;
  }
}

/** An event that could not be published (putEventAndWait): its entry's error code and message. */
export class PublishFailedError extends BuswaySdkError {
  readonly errorCode: string;

  constructor(errorCode: string, message: string) {
    super('PUBLISH_FAILED', message);
    this.errorCode = errorCode;
  }
}

/** A task answered with SendTaskFailure: the worker's `error` and `cause`. */
export class TaskFailedError extends BuswaySdkError {
  readonly error: string | undefined;
  readonly taskCause: string | undefined;

  constructor(error: string | undefined, cause: string | undefined) {
    super(
      'TASK_FAILED',
      `The task failed${error === undefined ? '' : ` with ${error}`}${cause === undefined ? '' : `: ${cause}`}`,
    );
    this.error = error;
    this.taskCause = cause;
  }
}

/** A task not answered in time (`States.Timeout`), or whose heartbeats stopped (`States.HeartbeatTimeout`). */
export class TaskTimedOutError extends BuswaySdkError {
  readonly error: string;

  constructor(error: string, message: string) {
    super('TASK_TIMED_OUT', message);
    this.error = error;
  }
}

/** waitForEvent saw no matching event within its timeout. */
export class WaitForEventTimeoutError extends BuswaySdkError {
  constructor(message: string) {
    super('WAIT_FOR_EVENT_TIMED_OUT', message);
  }
}

/**
 * Thrown by an event handler to refuse an event with a 4xx answer. Busway does not retry 400, 403, 404
 * and other client errors, but does retry 401, 407, 409 and 429 (as EventBridge does).
 */
export class EventRejectedError extends BuswaySdkError {
  readonly status: number;

  constructor(message: string, options: { status?: number; code?: string; cause?: unknown } = {}) {
    super(options.code ?? 'EVENT_REJECTED', message, options);
    const status = options.status ?? 400;
    if (!Number.isInteger(status) || status < 400 || status > 499) {
      throw new InvalidArgumentError(`EventRejectedError status must be an HTTP 4xx status, got ${status}.`);
    }
    this.status = status;
  }
}

/** A command event refused by the command consumer: 400 (malformed), 401 (API key) or 403 (tenant). */
export class CommandRejectedError extends EventRejectedError {
  constructor(status: 400 | 401 | 403, message: string) {
    super(message, { status, code: 'COMMAND_REJECTED' });
  }
}

/** Coerces anything caught into an Error. */
export function toError(value: unknown): Error {
  if (value instanceof Error) return value;
  return new Error(typeof value === 'string' ? value : JSON.stringify(value));
}

/** A short description of a value for messages: `a number (3)`, `undefined`, `a list`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string')
    return value.length > 40 ? `a string of ${value.length} characters` : `'${value}'`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  return `a ${typeof value}`;
}
