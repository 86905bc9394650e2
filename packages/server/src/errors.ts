/**
 * Errors of the server's domain. Each has a stable `code`; the API layer (api/error-shapes.ts) is the
 * only place that turns them into AWS's wire shapes. Messages are the texts AWS returns where AWS has
 * one, since clients show them to users verbatim.
 */
export class BuswayError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Input that breaks a rule of the operation (AWS: ValidationException). */
export class ValidationError extends BuswayError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('VALIDATION', message, options);
  }
}

/** A named resource that does not exist (AWS: ResourceNotFoundException). */
export class NotFoundError extends BuswayError {
  constructor(message: string) {
    super('NOT_FOUND', message);
  }
}

/** A resource that already exists (AWS: ResourceAlreadyExistsException). */
export class ConflictError extends BuswayError {
  constructor(message: string) {
    super('ALREADY_EXISTS', message);
  }
}

/** A quota reached (AWS: LimitExceededException). */
export class LimitExceededError extends BuswayError {
  constructor(message = 'The requested resource exceeds the maximum number allowed.') {
    super('LIMIT_EXCEEDED', message);
  }
}

/** An event pattern EventBridge would refuse (AWS: InvalidEventPatternException). */
export class InvalidEventPatternError extends BuswayError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_EVENT_PATTERN', message, options);
  }
}

/** A managed rule changed without Force (AWS: ManagedRuleException). */
export class ManagedRuleError extends BuswayError {
  constructor(message: string) {
    super('MANAGED_RULE', message);
  }
}

/** A resource policy too long (AWS: PolicyLengthExceededException). */
export class PolicyLengthExceededError extends BuswayError {
  constructor(message: string) {
    super('POLICY_LENGTH_EXCEEDED', message);
  }
}

/** An operation not allowed in the resource's current state (AWS: IllegalStatusException). */
export class IllegalStatusError extends BuswayError {
  constructor(message: string) {
    super('ILLEGAL_STATUS', message);
  }
}

/** Authentication failures; `awsType` is the exception name AWS uses for this case. */
export class AuthError extends BuswayError {
  readonly awsType:
    | 'MissingAuthenticationTokenException'
    | 'UnrecognizedClientException'
    | 'InvalidSignatureException'
    | 'IncompleteSignatureException'
    | 'AccessDeniedException';

  constructor(awsType: AuthError['awsType'], message: string) {
    super('AUTH', message);
    this.awsType = awsType;
  }
}

/**
 * A request to an inbound endpoint (`/webhooks/{id}`, `/ingest/{name}`) that is refused: inbound/routes.ts
 * renders it as a JSON problem body (`{type, title, status, detail}`) with this HTTP status. `headers`
 * go with the answer (`WWW-Authenticate`, `Allow`, `Retry-After`).
 */
export class InboundRequestError extends BuswayError {
  readonly status: number;
  readonly title: string;
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, title: string, detail: string, headers: Record<string, string> = {}) {
    super('INBOUND_REQUEST', detail);
    this.status = status;
    this.title = title;
    this.headers = headers;
  }
}

/** A task token Busway did not issue, or not a token at all (Step Functions: InvalidToken). */
export class InvalidTaskTokenError extends BuswayError {
  constructor(message: string) {
    super('INVALID_TASK_TOKEN', message);
  }
}

/** A well-formed task token whose task this server does not know (Step Functions: TaskDoesNotExist). */
export class TaskDoesNotExistError extends BuswayError {
  constructor(message: string) {
    super('TASK_DOES_NOT_EXIST', message);
  }
}

/** A task already answered or timed out (Step Functions: TaskTimedOut). */
export class TaskTimedOutError extends BuswayError {
  constructor(message: string) {
    super('TASK_TIMED_OUT', message);
  }
}

/** SendTaskSuccess output that is not JSON (Step Functions: InvalidOutput). */
export class InvalidTaskOutputError extends BuswayError {
  constructor(message: string) {
    super('INVALID_TASK_OUTPUT', message);
  }
}

/** Coerces anything caught into an Error, so `catch` sites never handle non-errors. */
export function toError(value: unknown): Error {
  if (value instanceof Error) return value;
  return new Error(typeof value === 'string' ? value : JSON.stringify(value));
}
