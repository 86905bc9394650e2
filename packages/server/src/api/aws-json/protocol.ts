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
 */
import { randomUUID } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  awsResponseHeaders,
  RequestEntityTooLargeError,
  sendAwsError,
  SerializationError,
  UnknownOperationError,
  type ErrorLogger,
} from '../error-shapes.js';
import type { Authenticate } from '../sigv4.js';

export interface OperationContext {
  /** The `x-amzn-RequestId` of this call. */
  requestId: string;
  /** The caller's access key id, when the request was signed. */
  accessKeyId?: string;
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
}

/**
 * The SigV4 service name for each target prefix (the part before the dot). A client signs for the
 * service it believes it is talking to, so the prefix decides which scope is valid.
 */
export const SIGNING_SERVICES: Readonly<Record<string, string>> = {
  AWSEvents: 'events',
  AmazonSQS: 'sqs',
  AWSStepFunctions: 'states',
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
      return sendAwsError(
        reply,
        fromFastifyError(error, options.bodyLimit),
        requestIdOf(request),
        logOf(request),
      );
    });

    const handle = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
      const requestId = requestIdOf(request);
      try {
        const output = await dispatch(request, requestId);
        return reply.code(200).headers(awsResponseHeaders(requestId)).send(serializeOutput(output));
      } catch (error) {
        return sendAwsError(reply, error, requestId, logOf(request));
      }
    };

    const dispatch = async (
      request: FastifyRequest,
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
      const context: OperationContext =
        auth.accessKeyId === undefined ? { requestId } : { requestId, accessKeyId: auth.accessKeyId };
      return handler(input, context);
    };

    const routeOptions = { bodyLimit: options.bodyLimit };
    scope.post('/', routeOptions, handle);
    scope.post('/*', routeOptions, handle);
  });
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
