/**
 * Receiving events from an API destination and routing them to handlers. The core (`handle`) takes a
 * framework-neutral request (method, headers, body as bytes, text or an already-parsed object) and
 * returns status, headers and body; `listener` adapts it to node:http's (request, response), which
 * Express accepts as well; Fastify calls `handle(request)` and sends the answer with its reply.
 *
 * Answers, and what Busway does with them (it retries 401, 407, 409, 429 and 5xx, as EventBridge does;
 * other 4xx are final):
 *   200  handled (the handler's return value, if any, as JSON `result`)
 *   200  no handler for the event (configurable: `unhandled`)
 *   400  the body is not an EventBridge event (not retried)
 *   401  the call did not come through the app's connection (retried: a rotated key may be updated)
 *   4xx  a handler threw EventRejectedError (its status)
 *   500  a handler threw anything else (retried)
 * Errors are JSON problem bodies (`application/problem+json`: type, title, status, detail).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRuleMatcher, InvalidPatternError, parsePattern, type RuleMatcher } from '@busway/patterns';
import { describeValue, EventRejectedError, InvalidArgumentError, toError } from './errors.js';
import { DEFAULT_API_KEY_HEADER } from './register-app.js';
import type { BusEvent } from './wait-for-event.js';

/** How the router recognises calls that came through the app's connection. */
export type ReceiverAuth =
  | { type?: 'API_KEY'; name?: string; value: string }
  | { type: 'BASIC'; username: string; password: string }
  | { type: 'OAUTH_CLIENT_CREDENTIALS'; verifyToken(token: string): boolean | Promise<boolean> }
  /** Accept every call (only behind something else that authenticates). */
  | { type: 'NONE' };

export interface RouterRequest {
  method?: string;
  headers: Record<string, string | string[] | undefined>;
  /** Raw bytes or text, or the JSON body a framework already parsed (Fastify, Express' json()). */
  body?: unknown;
}

export interface RouterResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type EventHandler<D = Record<string, unknown>> = (event: BusEvent<D>) => unknown;

export interface EventRouterOptions {
  auth: ReceiverAuth;
  /** The answer for events no handler takes: a status (default 200), or a function of the event. */
  unhandled?: number | ((event: BusEvent) => { status: number; body?: unknown });
  /** Largest body read by `listener` (default 1 MiB; EventBridge events are at most 256 KiB). */
  maxBodyBytes?: number;
  /** Called with every handler error answered 500 (logging). */
  onError?: (error: Error, event: BusEvent) => void;
}

export interface EventRouter {
  /** Handles events of this detail-type (one handler per type). */
  on<D = Record<string, unknown>>(detailType: string, handler: EventHandler<D>): EventRouter;
  /** Handles events matching an EventBridge pattern (checked after detail-types, in the order added). */
  onPattern<D = Record<string, unknown>>(
    pattern: Record<string, unknown> | string,
    handler: EventHandler<D>,
  ): EventRouter;
  /** The detail-types with a handler (for registerApp). */
  readonly detailTypes: string[];
  handle(request: RouterRequest): Promise<RouterResponse>;
  /** node:http / Express request listener. */
  readonly listener: (request: IncomingMessage, response: ServerResponse) => void;
}

const PROBLEM_TYPE = 'https://busway.dev/problems/';

export function createEventRouter(options: EventRouterOptions): EventRouter {
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError(
      "createEventRouter needs { auth }, e.g. { auth: { value: 'the API key' } }.",
    );
  }
  const verify = createVerifier(options.auth);
  const unhandled = options.unhandled ?? 200;
  if (typeof unhandled === 'number' && (!Number.isInteger(unhandled) || unhandled < 200 || unhandled > 599)) {
    throw new InvalidArgumentError(
      `unhandled must be an HTTP status (200-599) or a function, got ${describeValue(unhandled)}.`,
    );
  }
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const byType = new Map<string, EventHandler<never>>();
  const patternHandlers: Array<EventHandler<never>> = [];
  const matcher: RuleMatcher<number> = createRuleMatcher<number>();

  const route = async (event: BusEvent): Promise<RouterResponse> => {
    let handler = byType.get(event['detail-type']) as EventHandler | undefined;
    if (handler === undefined && patternHandlers.length > 0) {
      const matched = matcher.match(event as unknown as Parameters<RuleMatcher<number>['match']>[0]);
      const first = matched.length === 0 ? undefined : Math.min(...matched);
      if (first !== undefined) handler = patternHandlers[first] as EventHandler;
    }
    if (handler === undefined) {
      if (typeof unhandled === 'function') {
        const answer = unhandled(event);
        return json(answer.status, answer.body ?? { handled: false });
      }
      return json(unhandled, {
        handled: false,
        detail: `No handler for detail-type '${event['detail-type']}'.`,
      });
    }
    try {
      const result = await handler(event);
      return json(200, result === undefined ? { handled: true } : { handled: true, result });
    } catch (caught) {
      if (caught instanceof EventRejectedError) return problem(caught.status, caught.code, caught.message);
      const error = toError(caught);
      options.onError?.(error, event);
      return problem(
        500,
        'HANDLER_FAILED',
        `The handler of '${event['detail-type']}' failed: ${error.message}`,
      );
    }
  };

  const router: EventRouter = {
    on(detailType, handler) {
      if (typeof detailType !== 'string' || detailType === '') {
        throw new InvalidArgumentError(`on() needs a detail-type string, got ${describeValue(detailType)}.`);
      }
      if (typeof handler !== 'function')
        throw new InvalidArgumentError(`The handler of '${detailType}' must be a function.`);
      if (byType.has(detailType)) {
        throw new InvalidArgumentError(
          `'${detailType}' already has a handler; register one handler per detail-type.`,
        );
      }
      byType.set(detailType, handler as EventHandler<never>);
      return router;
    },
    onPattern(pattern, handler) {
      if (typeof handler !== 'function')
        throw new InvalidArgumentError('The handler of a pattern must be a function.');
      try {
        const parsed = parsePattern(pattern as Parameters<typeof parsePattern>[0]);
        matcher.add(patternHandlers.length, parsed);
      } catch (error) {
        if (error instanceof InvalidPatternError) {
          throw new InvalidArgumentError(`onPattern() got an invalid EventBridge pattern: ${error.message}`, {
            cause: error,
          });
        }
        throw new InvalidArgumentError(
          `onPattern() needs an EventBridge pattern object or JSON text: ${toError(error).message}`,
        );
      }
      patternHandlers.push(handler as EventHandler<never>);
      return router;
    },
    get detailTypes() {
      return [...byType.keys()];
    },
    async handle(request) {
      if (
        request.method !== undefined &&
        request.method.toUpperCase() !== 'POST' &&
        request.method.toUpperCase() !== 'PUT'
      ) {
        return problem(
          405,
          'METHOD_NOT_ALLOWED',
          `Events are received with POST (or PUT), not ${request.method}.`,
        );
      }
      if (!(await verify(request.headers))) {
        return problem(
          401,
          'UNAUTHORIZED',
          "The call did not carry the credentials of the app's connection.",
          {
            'www-authenticate': 'Bearer, Basic',
          },
        );
      }
      const parsed = parseEvent(request.body);
      if (typeof parsed === 'string') return problem(400, 'NOT_AN_EVENT', parsed);
      return route(parsed);
    },
    listener(request, response) {
      const send = (answer: RouterResponse): void => {
        response.writeHead(answer.status, {
          ...answer.headers,
          'content-length': Buffer.byteLength(answer.body),
        });
        response.end(answer.body);
      };
      const parsedBody = (request as IncomingMessage & { body?: unknown }).body;
      const answer = (body: unknown): void => {
        router
          .handle({ method: request.method ?? 'POST', headers: request.headers, body })
          .then(send, (error: unknown) => send(problem(500, 'ROUTER_FAILED', toError(error).message)));
      };
      // Express' json() (or another body parser) has already read the body.
      if (parsedBody !== undefined) {
        answer(parsedBody);
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      let tooLarge = false;
      request.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBodyBytes) tooLarge = true;
        else chunks.push(chunk);
      });
      request.on('end', () => {
        if (tooLarge) send(problem(413, 'BODY_TOO_LARGE', `The body is larger than ${maxBodyBytes} bytes.`));
        else answer(Buffer.concat(chunks));
      });
      request.on('error', () => response.destroy());
    },
  };
  return router;
}

/** The event of a body, or why it is not one. */
function parseEvent(body: unknown): BusEvent | string {
  let value = body;
  if (Buffer.isBuffer(body) || body instanceof Uint8Array) value = Buffer.from(body).toString('utf8');
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return 'The body is not JSON; Busway sends each event as its JSON envelope.';
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return `The body is ${describeValue(value)}, not an EventBridge event envelope.`;
  }
  const event = value as Record<string, unknown>;
  const missing = ['detail-type', 'source'].filter((key) => typeof event[key] !== 'string');
  if (missing.length > 0 || !('detail' in event)) {
    return `The body is not an EventBridge event: it needs string members detail-type and source, and a detail (missing: ${[
      ...missing,
      ...('detail' in event ? [] : ['detail']),
    ].join(', ')}). Do not give the rule's target an input transformer when it calls a router.`;
  }
  return event as unknown as BusEvent;
}

function createVerifier(auth: ReceiverAuth): (headers: RouterRequest['headers']) => Promise<boolean> {
  if (auth === null || typeof auth !== 'object') {
    throw new InvalidArgumentError(
      "auth must be { value } (API key), { type: 'BASIC', username, password }, { type: 'OAUTH_CLIENT_CREDENTIALS', verifyToken } or { type: 'NONE' }.",
    );
  }
  const header = (headers: RouterRequest['headers'], name: string): string | undefined => {
    const value = headers[name] ?? headers[name.toLowerCase()];
    return Array.isArray(value) ? value[0] : value;
  };
  switch (auth.type) {
    case undefined:
    case 'API_KEY': {
      if (typeof auth.value !== 'string' || auth.value === '') {
        throw new InvalidArgumentError(
          'auth.value must be the API key the connection sends (a non-empty string).',
        );
      }
      const name = (auth.name ?? DEFAULT_API_KEY_HEADER).toLowerCase();
      return async (headers) => sameSecret(header(headers, name), auth.value);
    }
    case 'BASIC': {
      if (typeof auth.username !== 'string' || typeof auth.password !== 'string' || auth.username === '') {
        throw new InvalidArgumentError(
          'auth.username and auth.password must be the Basic credentials of the connection.',
        );
      }
      const expected = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
      return async (headers) => sameSecret(header(headers, 'authorization'), expected);
    }
    case 'OAUTH_CLIENT_CREDENTIALS': {
      if (typeof auth.verifyToken !== 'function') {
        throw new InvalidArgumentError(
          'auth.verifyToken must be a function that says whether a bearer token (from your token endpoint) is valid.',
        );
      }
      return async (headers) => {
        const value = header(headers, 'authorization');
        const match = value === undefined ? null : /^Bearer\s+(\S+)$/i.exec(value);
        if (match?.[1] === undefined) return false;
        return (await auth.verifyToken(match[1])) === true;
      };
    }
    case 'NONE':
      return async () => true;
    default:
      throw new InvalidArgumentError(
        `auth.type must be API_KEY, BASIC, OAUTH_CLIENT_CREDENTIALS or NONE, got ${describeValue((auth as { type: unknown }).type)}.`,
      );
  }
}

/** Constant-time comparison (of digests, so lengths do not leak either). */
function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function json(status: number, body: unknown): RouterResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(body),
  };
}

function problem(
  status: number,
  code: string,
  detail: string,
  headers: Record<string, string> = {},
): RouterResponse {
  return {
    status,
    headers: { 'content-type': 'application/problem+json', ...headers },
    body: JSON.stringify({ type: `${PROBLEM_TYPE}${code.toLowerCase()}`, title: code, status, detail }),
  };
}
