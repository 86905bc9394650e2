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
  InvalidTaskOutputError,
  InvalidTaskTokenError,
  LimitExceededError,
  ManagedRuleError,
  NotFoundError,
  PolicyLengthExceededError,
  IllegalStatusError,
  TaskDoesNotExistError,
  TaskTimedOutError,
  ValidationError,
} from '../errors.js';
import { SqsError } from '../queues/types.js';
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
  [IllegalStatusError, 'IllegalStatusException'],
  // Step Functions' callback errors (AWSStepFunctions.SendTask*): its shapes carry no Exception suffix.
  [InvalidTaskTokenError, 'InvalidToken'],
  [TaskDoesNotExistError, 'TaskDoesNotExist'],
  [TaskTimedOutError, 'TaskTimedOut'],
  [InvalidTaskOutputError, 'InvalidOutput'],
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

/** Headers every AWS JSON response carries, success or error (SQS answers in JSON 1.0). */
export function awsResponseHeaders(
  requestId: string,
  contentType: string = AWS_JSON_CONTENT_TYPE,
): Record<string, string> {
  return {
    'content-type': contentType,
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

// --- SQS ------------------------------------------------------------------------------------------------

/** The content type of SQS's JSON answers: the service model says awsJson1_0. */
export const SQS_JSON_CONTENT_TYPE = 'application/x-amz-json-1.0';

/**
 * What a client sees for one SQS error, in either of SQS's protocols. SQS moved from the query protocol
 * to JSON 1.0 keeping its old error codes (the model's `awsQueryCompatible` trait), so every error has
 * two names: `type`, the exception shape (`QueueDoesNotExist`, the JSON `__type`), and `queryCode`, the
 * code of the query era (`AWS.SimpleQueueService.NonExistentQueue`: the XML `<Code>`, and the JSON
 * answer's `x-amzn-query-error: <queryCode>;Sender` header).
 */
export interface SqsErrorShape {
  status: number;
  type: string;
  queryCode: string;
  /** `Sender` (the caller's fault) or `Receiver` (the server's). */
  fault: 'Sender' | 'Receiver';
  message: string;
  /** Whether `type` is an exception of the SQS model (its `__type` then carries the model's namespace). */
  modelled: boolean;
}

/**
 * The exceptions of the SQS model: query-era code (when it differs from the shape name) and HTTP status,
 * as @aws-sdk/client-sqs 3.1169 declares them (`awsQueryError` trait). How the SDKs find the exception:
 * the JS SDK v3 takes the code from `x-amzn-query-error` and looks it up among the shapes' query codes,
 * so `error.name` is `QueueDoesNotExist`; botocore reports the header's code as `Error.Code` (the CLI
 * prints `AWS.SimpleQueueService.NonExistentQueue`, as it did in the query era) and picks the modelled
 * exception class by the `__type`'s shape name.
 */
const SQS_MODEL_ERRORS: Readonly<Record<string, { queryCode?: string; status: number }>> = {
  BatchEntryIdsNotDistinct: { queryCode: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct', status: 400 },
  BatchRequestTooLong: { queryCode: 'AWS.SimpleQueueService.BatchRequestTooLong', status: 400 },
  EmptyBatchRequest: { queryCode: 'AWS.SimpleQueueService.EmptyBatchRequest', status: 400 },
  InvalidAddress: { status: 404 },
  InvalidAttributeName: { status: 400 },
  InvalidAttributeValue: { status: 400 },
  InvalidBatchEntryId: { queryCode: 'AWS.SimpleQueueService.InvalidBatchEntryId', status: 400 },
  InvalidIdFormat: { status: 400 },
  InvalidMessageContents: { status: 400 },
  InvalidSecurity: { status: 403 },
  MessageNotInflight: { queryCode: 'AWS.SimpleQueueService.MessageNotInflight', status: 400 },
  OverLimit: { status: 403 },
  PurgeQueueInProgress: { queryCode: 'AWS.SimpleQueueService.PurgeQueueInProgress', status: 403 },
  QueueDeletedRecently: { queryCode: 'AWS.SimpleQueueService.QueueDeletedRecently', status: 400 },
  QueueDoesNotExist: { queryCode: 'AWS.SimpleQueueService.NonExistentQueue', status: 400 },
  QueueNameExists: { queryCode: 'QueueAlreadyExists', status: 400 },
  ReceiptHandleIsInvalid: { status: 404 },
  RequestThrottled: { status: 403 },
  ResourceNotFoundException: { status: 404 },
  TooManyEntriesInBatchRequest: {
    queryCode: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
    status: 400,
  },
  UnsupportedOperation: { queryCode: 'AWS.SimpleQueueService.UnsupportedOperation', status: 400 },
};

/** SQS's common errors outside the model (AWS's common-errors list), by code: the HTTP status. */
const SQS_COMMON_ERRORS: Readonly<Record<string, number>> = {
  InvalidParameterValue: 400,
  InvalidParameterCombination: 400,
  MissingParameter: 400,
  MissingAction: 400,
  InvalidAction: 400,
  InvalidQueryParameter: 400,
  MalformedQueryString: 404,
  AccessDenied: 403,
  InvalidClientTokenId: 403,
  SignatureDoesNotMatch: 403,
  IncompleteSignature: 400,
  MissingAuthenticationToken: 403,
  RequestExpired: 400,
  ValidationError: 400,
  InternalFailure: 500,
  ServiceUnavailable: 503,
};

/** The model's shape names by query-era code, so that a domain error raised with either name is found. */
const SQS_TYPES_BY_QUERY_CODE: ReadonlyMap<string, string> = new Map(
  Object.entries(SQS_MODEL_ERRORS).flatMap(([type, { queryCode }]) =>
    queryCode === undefined ? [] : [[queryCode, type] as const],
  ),
);

/**
 * Authentication failures with SQS's query-era codes. The JSON `__type` keeps the name the JSON services
 * use (as for the bus); the code clients report comes from `x-amzn-query-error`, and SQS always
 * reported these as InvalidClientTokenId, SignatureDoesNotMatch, ... with 403.
 */
const SQS_AUTH_CODES: Readonly<Record<AuthError['awsType'], string>> = {
  MissingAuthenticationTokenException: 'MissingAuthenticationToken',
  UnrecognizedClientException: 'InvalidClientTokenId',
  InvalidSignatureException: 'SignatureDoesNotMatch',
  IncompleteSignatureException: 'IncompleteSignature',
  AccessDeniedException: 'AccessDenied',
};

/** Protocol errors of the shared JSON layer, in SQS's terms: query code and status. */
const SQS_PROTOCOL_CODES: Readonly<Record<string, { queryCode: string; status?: number }>> = {
  // AWS answers an unknown action with InvalidAction in both protocols.
  UnknownOperationException: { queryCode: 'InvalidAction', status: 400 },
  SerializationException: { queryCode: 'SerializationException' },
  RequestEntityTooLargeException: { queryCode: 'RequestEntityTooLarge' },
};

const SQS_INTERNAL_ERROR: SqsErrorShape = {
  status: 500,
  type: 'InternalFailure',
  queryCode: 'InternalFailure',
  fault: 'Receiver',
  message: INTERNAL_ERROR.message,
  modelled: false,
};

/** The shape of an error SQS knows by `code` (a model shape name, a query-era code or a common error). */
function sqsShapeOfCode(code: string, message: string, sender: boolean): SqsErrorShape {
  const type = SQS_TYPES_BY_QUERY_CODE.get(code) ?? code;
  const modelError = Object.hasOwn(SQS_MODEL_ERRORS, type) ? SQS_MODEL_ERRORS[type] : undefined;
  if (modelError !== undefined) {
    return {
      status: modelError.status,
      type,
      queryCode: modelError.queryCode ?? type,
      fault: sender ? 'Sender' : 'Receiver',
      message,
      modelled: true,
    };
  }
  const status = Object.hasOwn(SQS_COMMON_ERRORS, code) ? SQS_COMMON_ERRORS[code] : undefined;
  return {
    status: status ?? (sender ? 400 : 500),
    type: code,
    queryCode: code,
    fault: sender ? 'Sender' : 'Receiver',
    message,
    modelled: false,
  };
}

/**
 * The SQS shape of any thrown value, for both of SQS's protocols. Busway's generic domain errors map to
 * SQS's nearest codes (a ValidationError is InvalidParameterValue); unknown errors become InternalFailure
 * and are logged, as in toAwsError.
 */
export function toSqsError(error: unknown, log?: ErrorLogger): SqsErrorShape {
  if (error instanceof SqsError) return sqsShapeOfCode(error.sqsCode, error.message, error.sender);
  if (error instanceof AuthError) {
    const queryCode = SQS_AUTH_CODES[error.awsType];
    return {
      status: queryCode === 'IncompleteSignature' ? 400 : 403,
      type: error.awsType,
      queryCode,
      fault: 'Sender',
      message: error.message,
      modelled: false,
    };
  }
  if (error instanceof AwsProtocolError) {
    const mapped = SQS_PROTOCOL_CODES[error.awsType];
    return {
      status: mapped?.status ?? error.status,
      type: mapped?.queryCode === 'InvalidAction' ? 'InvalidAction' : error.awsType,
      queryCode: mapped?.queryCode ?? error.awsType,
      fault: 'Sender',
      message: error.message,
      modelled: false,
    };
  }
  if (error instanceof ValidationError || error instanceof InvalidNextTokenError) {
    return sqsShapeOfCode('InvalidParameterValue', error.message, true);
  }
  if (error instanceof NotFoundError) return sqsShapeOfCode('ResourceNotFoundException', error.message, true);
  if (error instanceof LimitExceededError) return sqsShapeOfCode('OverLimit', error.message, true);
  log?.error({ err: error }, 'internal error while serving an SQS request');
  return SQS_INTERNAL_ERROR;
}

/** The JSON 1.0 body of an SQS error: `__type` namespaced as SQS's model does for its own exceptions. */
export function sqsErrorBody(shape: SqsErrorShape): Buffer {
  const type = shape.modelled ? `com.amazonaws.sqs#${shape.type}` : shape.type;
  return Buffer.from(JSON.stringify({ __type: type, message: shape.message }), 'utf8');
}

/** Sends `error` as SQS's JSON protocol answers it: JSON 1.0 body plus the query-compatible header. */
export function sendSqsJsonError(
  reply: FastifyReply,
  error: unknown,
  requestId: string,
  log?: ErrorLogger,
): FastifyReply {
  const shape = toSqsError(error, log);
  return reply
    .code(shape.status)
    .headers({
      ...awsResponseHeaders(requestId, SQS_JSON_CONTENT_TYPE),
      'x-amzn-ErrorType': shape.type,
      'x-amzn-query-error': `${shape.queryCode};${shape.fault}`,
    })
    .send(sqsErrorBody(shape));
}
