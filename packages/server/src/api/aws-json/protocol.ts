/**
 * The AWS JSON 1.0/1.1 protocol over Fastify (reference §1.1-1.2): `POST` with the operation in
 * `X-Amz-Target`, a JSON body, a JSON answer. One registration serves every AWS API Busway speaks
 * (`AWSEvents.*`, `AmazonSQS.*`, `AWSStepFunctions.*`); the operation table decides which.
 *
 * A request goes: body read as raw bytes (the signature covers them) -> content type -> operation ->
 * signature (service from the target's prefix) -> JSON parse -> handler -> answer. Authentication
 * comes before parsing so that an unauthenticated caller cannot make the server parse anything, and
 * every failure on the way, including Fastify's own (body too large, bad Content-Length), leaves as
 * an AWS-shaped error: the SDKs can only make sense of that shape.
 *
 * `AmazonSQS.*` calls are answered in SQS's dialect of the protocol (JSON 1.0 content type, errors with
 * the query-compatible header, error-shapes.ts sendSqsJsonError). Form-encoded bodies on the same routes
 * belong to the older query protocol and are handed to `formProtocol` (api/query/) when one is given.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  awsResponseHeaders,
  RequestEntityTooLargeError,
  sendAwsError,
  sendSqsJsonError,
  SerializationError,
  SQS_JSON_CONTENT_TYPE,
  UnknownOperationError,
  type ErrorLogger,
} from '../error-shapes.js';
import type { Authenticate } from '../sigv4.js';

export interface OperationContext {
  /** The `x-amzn-RequestId` of this call. */
  requestId: string;
  /** The caller's access key id, when the request was signed. */
  accessKeyId?: string;
  /** The request's Host header (`127.0.0.1:4010`): SQS builds queue URLs from it. */
  readonly host?: string | undefined;
  /** Aborted when the client goes away before the answer is sent (ends SQS long polls early). */
  readonly signal?: AbortSignal;
}

/** One operation: the parsed JSON body in, the output members out (`void` answers `{}`). */
export type OperationHandler = (
  input: Record<string, unknown>,
  context: OperationContext,
) => Promise<Record<string, unknown> | void>;

export interface AwsJsonProtocolOptions {
  /** Handlers by full target, e.g. `AWSEvents.PutEvents`. */
  operations: ReadonlyMap<string, OperationHandler>;
  authenticate: Authenticate;
  /**
   * Largest body accepted, in bytes. A transport guard only: operation limits (PutEvents' 256 KiB)
   * are the domain's and must stay below it so their own error is the one clients see.
   */
  bodyLimit: number;
  /** Where internal errors go; defaults to the request's logger. */
  log?: ErrorLogger;
  /** Serves `application/x-www-form-urlencoded` requests (SQS's query protocol); without it they are refused. */
  formProtocol?: FormProtocol;
}

/**
 * Another wire protocol on the same routes, chosen by a form-encoded body: SQS's query protocol
 * (`Action=SendMessage&...`, XML answers), which older SQS clients still speak. It authenticates, reads
 * and answers the request itself, errors included.
 */
export interface FormProtocol {
  handle(call: FormCall, reply: FastifyReply): Promise<FastifyReply>;
  /** Sends `error` in this protocol's shape (also for Fastify's own errors on a form request). */
  sendError(reply: FastifyReply, error: unknown, requestId: string, log: ErrorLogger): FastifyReply;
}

/** One form-encoded request, as the shared routes received it. */
export interface FormCall {
  request: FastifyRequest;
  /** The body exactly as received (the signature covers it). */
  rawBody: Buffer;
  requestId: string;
  log: ErrorLogger;
  /** The operation context for `accessKeyId`, with the request's host and abort signal. */
  contextFor(accessKeyId: string | undefined): OperationContext;
}

/**
 * The SigV4 service name for each target prefix (the part before the dot). A client signs for the
 * service it believes it is talking to, so the prefix decides which scope is valid.
 */
export const SIGNING_SERVICES: Readonly<Record<string, string>> = {
  AWSEvents: 'events',
  AmazonSQS: 'sqs',
  AWSStepFunctions: 'states',
  // Busway's own operations (webhooks, deliveries, ...), for the busway CLI and the console.
  Busway: 'busway',
};

/** AWS JSON media types; both versions carry the same JSON (1.0 is what SQS's JSON protocol uses). */
const ACCEPTED_CONTENT_TYPES = new Set(['application/x-amz-json-1.1', 'application/x-amz-json-1.0']);

/**
 * Registers `POST /` and `POST /*` in an encapsulated child scope: its catch-all raw-body parser and
 * error handler apply to these routes only, and any more specific route the app has (`/webhooks/:id`)
 * wins over the wildcard. Call it directly (not through `app.register`); the routes exist once the app
 * is ready, and a bad operation table throws here, at once.
 */
export function registerAwsJsonProtocol(app: FastifyInstance, options: AwsJsonProtocolOptions): void {
  for (const target of options.operations.keys()) {
    if (signingServiceOf(target) === undefined) {
      // A programming error in the operation table, reported at start-up rather than per request.
      throw new Error(
        `Operation ${target} has no known signing service; add its prefix to SIGNING_SERVICES.`,
      );
    }
  }

  void app.register(async (scope) => {
    const requestIds = new WeakMap<FastifyRequest, string>();
    const requestIdOf = (request: FastifyRequest): string => {
      let id = requestIds.get(request);
      if (id === undefined) {
        id = randomUUID();
        requestIds.set(request, id);
      }
      return id;
    };
    const logOf = (request: FastifyRequest): ErrorLogger => options.log ?? request.log;

    // The raw bytes are kept for the signature, whatever the content type says; the content type is
    // judged in the handler so that a wrong one gets an AWS-shaped answer, not Fastify's 415.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => {
      done(null, body);
    });

    scope.setErrorHandler((error: FastifyError, request, reply) => {
      const failure = fromFastifyError(error, options.bodyLimit);
      const requestId = requestIdOf(request);
      if (options.formProtocol !== undefined && isFormEncoded(request.headers['content-type'])) {
        return options.formProtocol.sendError(reply, failure, requestId, logOf(request));
      }
      const send = isSqsTarget(request.headers['x-amz-target']) ? sendSqsJsonError : sendAwsError;
      return send(reply, failure, requestId, logOf(request));
    });

    const handle = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
      const requestId = requestIdOf(request);
      const formProtocol = options.formProtocol;
      if (formProtocol !== undefined && isFormEncoded(request.headers['content-type'])) {
        const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        return formProtocol.handle(
          {
            request,
            rawBody,
            requestId,
            log: logOf(request),
            contextFor: (accessKeyId) => new CallContext(requestId, accessKeyId, request, reply),
          },
          reply,
        );
      }
      // SQS's dialect: JSON 1.0 answers and query-compatible errors (error-shapes.ts).
      const sqs = isSqsTarget(request.headers['x-amz-target']);
      try {
        const output = await dispatch(request, reply, requestId);
        const headers = sqs
          ? awsResponseHeaders(requestId, SQS_JSON_CONTENT_TYPE)
          : awsResponseHeaders(requestId);
        return reply.code(200).headers(headers).send(serializeOutput(output));
      } catch (error) {
        return (sqs ? sendSqsJsonError : sendAwsError)(reply, error, requestId, logOf(request));
      }
    };

    const dispatch = async (
      request: FastifyRequest,
      reply: FastifyReply,
      requestId: string,
    ): Promise<Record<string, unknown> | void> => {
      checkContentType(request.headers['content-type']);
      const target = readTarget(request.headers['x-amz-target']);
      const handler = options.operations.get(target);
      const service = signingServiceOf(target);
      if (handler === undefined || service === undefined) {
        throw new UnknownOperationError(`Operation ${target} is not supported by Busway.`);
      }
      const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const auth = await options.authenticate(
        { method: request.method, url: request.raw.url ?? request.url, headers: request.headers, rawBody },
        service,
      );
      const input = parseBody(rawBody);
      return handler(input, new CallContext(requestId, auth.accessKeyId, request, reply));
    };

    const routeOptions = { bodyLimit: options.bodyLimit };
    scope.post('/', routeOptions, handle);
    scope.post('/*', routeOptions, handle);
  });
}

/**
 * The context handed to an operation. `host` and `signal` are getters on the prototype, computed on first
 * use: only SQS operations read them, and a signal costs a listener on the response that the bus's
 * operations would pay for nothing. (Being inherited, they are not own properties either, so the context
 * still compares and logs as `{ requestId, accessKeyId }`.)
 */
class CallContext implements OperationContext {
  readonly requestId: string;
  readonly accessKeyId?: string;
  readonly #request: FastifyRequest;
  readonly #reply: FastifyReply;
  #controller: AbortController | undefined;

  constructor(
    requestId: string,
    accessKeyId: string | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ) {
    this.requestId = requestId;
    if (accessKeyId !== undefined) this.accessKeyId = accessKeyId;
    this.#request = request;
    this.#reply = reply;
  }

  get host(): string | undefined {
    const host = this.#request.headers.host;
    return host === undefined || host === '' ? undefined : host;
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      const controller = new AbortController();
      this.#controller = controller;
      const response = this.#reply.raw;
      // 'close' also comes after a complete answer; only a close before the answer was handed over
      // (`writableEnded`) means the client went away.
      const onClose = (): void => {
        if (!response.writableEnded) controller.abort(new Error('The client closed the connection.'));
      };
      // (Not `request.raw.destroyed`: a request is destroyed as soon as its body has been read.)
      if (response.destroyed) onClose();
      else response.once('close', onClose);
    }
    return this.#controller.signal;
  }
}

/** Whether the X-Amz-Target names an SQS operation (answered in SQS's dialect). */
function isSqsTarget(header: string | string[] | undefined): boolean {
  const target = Array.isArray(header) ? header[0] : header;
  return target !== undefined && target.trim().startsWith('AmazonSQS.');
}

/** Whether the content type is a form (`application/x-www-form-urlencoded`, any parameters). */
function isFormEncoded(header: string | undefined): boolean {
  const mediaType = (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return mediaType === 'application/x-www-form-urlencoded';
}

function signingServiceOf(target: string): string | undefined {
  const dot = target.indexOf('.');
  if (dot <= 0) return undefined;
  const prefix = target.slice(0, dot);
  return Object.hasOwn(SIGNING_SERVICES, prefix) ? SIGNING_SERVICES[prefix] : undefined;
}

/**
 * Only the AWS JSON media types are served. AWS itself answers other content types as unknown
 * operations (Kinesis with `application/octet-stream`: `UnknownOperationException`), which is also the
 * least surprising name for "this is not an AWS JSON request".
 */
function checkContentType(header: string | undefined): void {
  const mediaType = (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (!ACCEPTED_CONTENT_TYPES.has(mediaType)) {
    const given = header === undefined ? 'no Content-Type' : `Content-Type '${header}'`;
    throw new UnknownOperationError(
      `The request has ${given}; AWS JSON requests must be sent as application/x-amz-json-1.1 (or 1.0).`,
    );
  }
}

function readTarget(header: string | string[] | undefined): string {
  const target = Array.isArray(header) ? header[0] : header;
  if (target === undefined || target.trim() === '') {
    throw new UnknownOperationError(
      'The request has no X-Amz-Target header; it must name the operation, e.g. AWSEvents.PutEvents.',
    );
  }
  return target.trim();
}

/**
 * The body as a JSON object. An empty body counts as `{}` (every SDK sends `{}` for an operation with no
 * input, and nothing else can be meant).
 */
function parseBody(rawBody: Buffer): Record<string, unknown> {
  const text = rawBody.toString('utf8');
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new SerializationError(`The request body is not valid JSON: ${reason}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new SerializationError(
      `The request body must be a JSON object of the operation's input members, not ${describeJson(parsed)}.`,
    );
  }
  return parsed as Record<string, unknown>;
}

function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}

/**
 * The output as JSON bytes (bytes, so Fastify adds no charset to the content type), null and undefined
 * members left out: the SDKs treat absent and null alike, and AWS omits them.
 */
function serializeOutput(output: Record<string, unknown> | void): Buffer {
  if (output === undefined) return Buffer.from('{}');
  return Buffer.from(
    JSON.stringify(output, (_key, value: unknown) => (value === null ? undefined : value)),
    'utf8',
  );
}

/** Fastify's own request errors, in AWS terms. */
function fromFastifyError(error: FastifyError, bodyLimit: number): unknown {
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new RequestEntityTooLargeError(`Request must be smaller than ${bodyLimit} bytes.`);
  }
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    // Content-Length that does not match the body, an aborted upload, ...: the request cannot be read.
    return new SerializationError(`The request could not be read: ${error.message}`);
  }
  return error;
}
