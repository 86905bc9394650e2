/**
 * The one place that turns errors into AWS's JSON error shape: body `{"__type": "<Name>", "message":
 * "..."}`, header `x-amzn-ErrorType: <Name>`, status 400 for client errors and 500 for
 * InternalException (reference §1.2). Domain code throws the classes of ../errors.ts; protocol code
 * throws the AwsProtocolError subclasses below; everything else is an internal error whose details stay
 * in the log, never in the response.
 *
 * Both SDK families read the body's `__type` (botocore ignores the header for JSON protocols), so the
 * body is what makes an error recognisable; the header is for the JS SDK's fast path.
 */
import { InvalidEventError, InvalidPatternError, InvalidTargetInputError } from '@busway/patterns';
import type { FastifyReply } from 'fastify';
import {
  AuthError,
  BuswayError,
  ConflictError,
  InvalidEventPatternError,
  LimitExceededError,
  ManagedRuleError,
  NotFoundError,
  PolicyLengthExceededError,
  ValidationError,
} from '../errors.js';
import { InvalidNextTokenError } from '../store/errors.js';

/** The content type of every AWS JSON 1.1 response, errors included. */
export const AWS_JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';

/** What a client sees for one error. */
export interface AwsErrorShape {
  status: number;
  /** The exception name: `__type` in the body, `x-amzn-ErrorType` in the headers. */
  type: string;
  message: string;
}

/** Where internal errors are reported (a pino logger, Fastify's `request.log`, or a test spy). */
export interface ErrorLogger {
  error(details: object, message: string): void;
}

/**
 * An error of the wire protocol itself (not of an operation): an unknown X-Amz-Target, a body that is
 * not JSON, a body too large. `awsType` and `status` are what AWS answers for the same mistake.
 */
export class AwsProtocolError extends BuswayError {
  readonly awsType: string;
  readonly status: number;

  constructor(code: string, awsType: string, status: number, message: string) {
    super(code, message);
    this.awsType = awsType;
    this.status = status;
  }
}

/**
 * A missing or unknown X-Amz-Target, or a request that is not AWS JSON at all. AWS's common-errors page
 * lists 404 for UnknownOperationException, but nothing was recorded from EventBridge itself; 400 keeps
 * it with every other client error, and both SDKs raise it by `__type` whatever the status (>= 301).
 */
export class UnknownOperationError extends AwsProtocolError {
  constructor(message: string) {
    super('UNKNOWN_OPERATION', 'UnknownOperationException', 400, message);
  }
}

/**
 * A body that is not a JSON object, or a member of the wrong JSON type (a number where a string
 * belongs). AWS's Coral layer fails deserialization with SerializationException before it validates
 * any constraint, so these are reported alone, before any ValidationException.
 */
export class SerializationError extends AwsProtocolError {
  constructor(message: string) {
    super('SERIALIZATION', 'SerializationException', 400, message);
  }
}

/**
 * A body over the transport limit. PutEvents' own 256 KiB rule is a ValidationException raised by the
 * domain; this guard sits above it (configured larger) and answers like AWS's front ends do for an
 * oversized request: 413 RequestEntityTooLargeException, which no SDK retries.
 */
export class RequestEntityTooLargeError extends AwsProtocolError {
  constructor(message: string) {
    super('REQUEST_TOO_LARGE', 'RequestEntityTooLargeException', 413, message);
  }
}

const INTERNAL_ERROR: AwsErrorShape = {
  status: 500,
  type: 'InternalException',
  message: 'An internal error occurred. The details are in the Busway server log.',
};

/**
 * Domain error classes and the AWS exception each becomes, checked in order (subclasses first). Every
 * modelled client error is 400 [R]; only InternalException is 500.
 */
const DOMAIN_ERRORS: ReadonlyArray<readonly [abstract new (...args: never[]) => Error, string]> = [
  [ValidationError, 'ValidationException'],
  [NotFoundError, 'ResourceNotFoundException'],
  [ConflictError, 'ResourceAlreadyExistsException'],
  [LimitExceededError, 'LimitExceededException'],
  [InvalidEventPatternError, 'InvalidEventPatternException'],
  [ManagedRuleError, 'ManagedRuleException'],
  [PolicyLengthExceededError, 'PolicyLengthExceededException'],
  // A NextToken no list call issued: bad input, not a server fault. The model's docs mention an
  // `InvalidToken` error for expired tokens, but no recording shows it; ValidationException is the
  // unmodelled client error AWS uses for malformed parameters.
  [InvalidNextTokenError, 'ValidationException'],
  // @busway/patterns errors already carry AWS's texts; they are mapped here in case the domain lets one
  // through instead of wrapping it.
  [InvalidPatternError, 'InvalidEventPatternException'],
  [InvalidTargetInputError, 'ValidationException'],
];

/**
 * The AWS shape of any thrown value. Unknown errors become a generic InternalException and are logged
 * with their stack: their messages may name files, SQL or secrets, which a client must not see.
 */
export function toAwsError(error: unknown, log?: ErrorLogger): AwsErrorShape {
  if (error instanceof AwsProtocolError) {
    return { status: error.status, type: error.awsType, message: error.message };
  }
  if (error instanceof AuthError) {
    // AWS documents 403 for MissingAuthenticationToken, but the recorded JSON services answer 400 for
    // every auth error (reference §1.3); both SDKs decide by `__type`, not by status.
    return { status: 400, type: error.awsType, message: error.message };
  }
  if (error instanceof InvalidEventError) {
    return { status: 400, type: 'ValidationException', message: 'Parameter Event is not valid.' };
  }
  for (const [errorClass, type] of DOMAIN_ERRORS) {
    if (error instanceof errorClass) return { status: 400, type, message: error.message };
  }
  log?.error({ err: error }, 'internal error while serving an AWS API request');
  return INTERNAL_ERROR;
}

/** Headers every AWS JSON response carries, success or error. */
export function awsResponseHeaders(requestId: string): Record<string, string> {
  return {
    'content-type': AWS_JSON_CONTENT_TYPE,
    'x-amzn-RequestId': requestId,
    // The JS SDK corrects its clock skew from this header after a signature-expired error (§1.5), so it
    // is set explicitly rather than left to Node's cached value.
    date: new Date().toUTCString(),
  };
}

/**
 * The JSON body of an error, as bytes: Fastify appends `; charset=utf-8` to the content type of string
 * bodies, and AWS answers the bare media type.
 */
export function errorBody(shape: AwsErrorShape): Buffer {
  return Buffer.from(JSON.stringify({ __type: shape.type, message: shape.message }), 'utf8');
}

/** Sends `error` in AWS's shape on `reply`. */
export function sendAwsError(
  reply: FastifyReply,
  error: unknown,
  requestId: string,
  log?: ErrorLogger,
): FastifyReply {
  const shape = toAwsError(error, log);
  return reply
    .code(shape.status)
    .headers({ ...awsResponseHeaders(requestId), 'x-amzn-ErrorType': shape.type })
    .send(errorBody(shape));
}
