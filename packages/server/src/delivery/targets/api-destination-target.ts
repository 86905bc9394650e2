/**
 * API destination targets (`arn:aws:events:REGION:ACCOUNT:api-destination/NAME/UUID`): one HTTP call per
 * attempt to the destination's endpoint, authorised by its connection, shaped as EventBridge does
 * (reference §5-6):
 * - URL: the endpoint with each `*` replaced by the target's `HttpParameters.PathParameterValues` in order;
 *   query string from the target's `QueryStringParameters`, then the connection's (the connection wins).
 * - Headers: the target's `HeaderParameters`, then the connection's invocation headers (winning), then the
 *   ones EventBridge always sets (`User-Agent: Amazon/EventBridge/ApiDestinations`, `Range`), the default
 *   `Content-Type: application/json; charset=utf-8`, and the connection's authorisation.
 *   Target parameter values starting with `$.` are JSONPaths into the original event.
 * - Body: the target's input; the connection's body parameters are merged into it when it is a JSON object.
 * - 5 s for the whole call. 401/407, 409, 429 and 5xx are retried; with OAuth a 401/407 also fetches a new
 *   token, and the call is made once more at once with it.
 * - InvocationRateLimitPerSecond: calls beyond it wait for their turn (up to a second inline; longer
 *   waits hand the delivery back, due at its turn, without counting an attempt). Never dropped.
 */
import { selectPath, type JsonObject } from '@busway/patterns';
import { errors as undiciErrors, request, type Dispatcher } from 'undici';
import { OutboundAddressRefusedError } from '../outbound.js';
import {
  DeliveryFailure,
  isRetryableStatus,
  parseRetryAfter,
  responseExcerpt,
  type InvokeTarget,
  type TargetInvocation,
} from '../target-result.js';
import { createRateLimiter, type RateLimiter } from './rate-limiter.js';

export const API_DESTINATION_TIMEOUT_MS = 5000;
/** Waiting longer than this for a rate-limit slot gives the delivery back instead of holding its lease. */
const MAX_INLINE_RATE_WAIT_MS = 1000;

export interface InvocationParameter {
  key: string;
  value: string;
  isValueSecret: boolean;
}

export interface InvocationParameters {
  headerParameters?: InvocationParameter[];
  queryStringParameters?: InvocationParameter[];
  bodyParameters?: InvocationParameter[];
}

/** A connection with its secrets, as the connection service resolves it for an invocation. */
export interface InvocationConnection {
  arn: string;
  name: string;
  state: string;
  authorizationType: 'BASIC' | 'API_KEY' | 'OAUTH_CLIENT_CREDENTIALS';
  basic?: { username: string; password: string };
  apiKey?: { name: string; value: string };
  invocationHttpParameters?: InvocationParameters;
}

export interface InvocationDestination {
  arn: string;
  name: string;
  state: 'ACTIVE' | 'INACTIVE';
  invocationEndpoint: string;
  httpMethod: string;
  invocationRateLimitPerSecond: number;
  connection: InvocationConnection;
}

export interface ApiDestinationTargetOptions<C extends InvocationConnection> {
  resolve(arn: string): Promise<(InvocationDestination & { connection: C }) | undefined>;
  /** OAuth bearer tokens (cached by the token client); `refresh` forces a new one. */
  getToken(connection: C, options?: { refresh?: boolean }): Promise<string>;
  dispatcher: Dispatcher;
  checkUrl(url: URL): void;
  now?: () => number;
  /** Invocation rate limits (default: this process's own schedule; shared by the store with several nodes). */
  limiter?: RateLimiter;
}

/** Connection states in which calls are made (an OAuth connection authorises itself on first use). */
const USABLE_STATES = new Set(['AUTHORIZED', 'AUTHORIZING', 'UPDATING']);

export function createApiDestinationTarget<C extends InvocationConnection>(
  options: ApiDestinationTargetOptions<C>,
): InvokeTarget {
  const now = options.now ?? Date.now;
  const limiter = options.limiter ?? createRateLimiter(now);

  return async (invocation) => {
    const destination = await options.resolve(invocation.target.arn);
    if (destination === undefined) {
      throw new DeliveryFailure(`API destination ${invocation.target.arn} does not exist.`, {
        code: 'NO_RESOURCE',
        retryable: false,
      });
    }
    const connection = destination.connection;
    if (!USABLE_STATES.has(connection.state)) {
      throw new DeliveryFailure(
        `Connection ${connection.name} is ${connection.state}: authorise it again with UpdateConnection.`,
        { code: 'NO_PERMISSIONS', retryable: false },
      );
    }

    const turn = await limiter.reserve(
      destination.arn,
      destination.invocationRateLimitPerSecond,
      MAX_INLINE_RATE_WAIT_MS,
    );
    if ('deferredUntil' in turn) return turn;
    if (turn.waitMs > 0) await sleep(turn.waitMs, invocation.signal);

    const call = buildCall(destination, invocation);
    let authorization = await authorizationHeader(connection, options, false);
    let response = await send(call, authorization, invocation.signal, options);
    if (
      connection.authorizationType === 'OAUTH_CLIENT_CREDENTIALS' &&
      (response.statusCode === 401 || response.statusCode === 407)
    ) {
      authorization = await authorizationHeader(connection, options, true);
      response = await send(call, authorization, invocation.signal, options);
    }
    const excerpt = responseExcerpt(response.text);
    if (response.statusCode >= 200 && response.statusCode < 300) {
      return { statusCode: response.statusCode, responseExcerpt: excerpt };
    }
    const retryAfterMs = parseRetryAfter(response.headers['retry-after'], now());
    throw new DeliveryFailure(`${destination.name} answered HTTP ${response.statusCode}`, {
      code: 'ERROR_FROM_TARGET',
      retryable: isRetryableStatus(response.statusCode),
      statusCode: response.statusCode,
      responseExcerpt: excerpt,
      ...(retryAfterMs !== undefined && { retryAfterMs }),
    });
  };
}

interface HttpCall {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/** The request of one invocation, without its authorisation. */
export function buildCall(destination: InvocationDestination, invocation: TargetInvocation): HttpCall {
  const http = (invocation.target.parameters?.['HttpParameters'] ?? {}) as {
    PathParameterValues?: unknown;
    HeaderParameters?: unknown;
    QueryStringParameters?: unknown;
  };
  const pathValues = Array.isArray(http.PathParameterValues) ? http.PathParameterValues.map(String) : [];
  let index = 0;
  const endpoint = destination.invocationEndpoint.replace(/\*/g, () => {
    const raw = pathValues[index++];
    return raw === undefined ? '' : encodeURIComponent(parameterValue(raw, invocation.event));
  });
  const url = new URL(endpoint);

  const invocationParameters = destination.connection.invocationHttpParameters;
  for (const [key, value] of Object.entries(stringMap(http.QueryStringParameters))) {
    url.searchParams.set(key, parameterValue(value, invocation.event));
  }
  for (const parameter of invocationParameters?.queryStringParameters ?? []) {
    url.searchParams.set(parameter.key, parameter.value);
  }

  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(stringMap(http.HeaderParameters))) {
    headers[key.toLowerCase()] = parameterValue(value, invocation.event);
  }
  for (const parameter of invocationParameters?.headerParameters ?? []) {
    headers[parameter.key.toLowerCase()] = parameter.value;
  }
  headers['content-type'] ??= 'application/json; charset=utf-8';
  headers['user-agent'] = 'Amazon/EventBridge/ApiDestinations';
  headers['range'] = 'bytes=0-1048575';

  const method = destination.httpMethod.toUpperCase();
  let body: string | undefined = method === 'GET' || method === 'HEAD' ? undefined : invocation.input;
  const bodyParameters = invocationParameters?.bodyParameters ?? [];
  if (body !== undefined && bodyParameters.length > 0) body = mergeBodyParameters(body, bodyParameters);
  return { url, method, headers, body };
}

/** Connection body parameters join a JSON-object body; any other body is sent as it is. */
function mergeBodyParameters(body: string, parameters: readonly InvocationParameter[]): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return body;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return body;
  const merged = parsed as Record<string, unknown>;
  for (const parameter of parameters) merged[parameter.key] = parameter.value;
  return JSON.stringify(merged);
}

function stringMap(value: unknown): Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return {};
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) if (typeof item === 'string') out[key] = item;
  return out;
}

/** A target parameter: literal text, or (starting with `$.`) the value at that path of the event. */
function parameterValue(value: string, event: JsonObject): string {
  if (!value.startsWith('$.')) return value;
  const selected = selectPath(event, value);
  if (selected === undefined) return '';
  return typeof selected === 'string' ? selected : JSON.stringify(selected);
}

async function authorizationHeader<C extends InvocationConnection>(
  connection: C,
  options: ApiDestinationTargetOptions<C>,
  refresh: boolean,
): Promise<[string, string] | undefined> {
  switch (connection.authorizationType) {
    case 'BASIC': {
      const basic = connection.basic;
      if (basic === undefined) return undefined;
      return [
        'authorization',
        `Basic ${Buffer.from(`${basic.username}:${basic.password}`).toString('base64')}`,
      ];
    }
    case 'API_KEY':
      return connection.apiKey === undefined
        ? undefined
        : [connection.apiKey.name.toLowerCase(), connection.apiKey.value];
    case 'OAUTH_CLIENT_CREDENTIALS':
      return ['authorization', `Bearer ${await options.getToken(connection, { refresh })}`];
  }
}

interface HttpAnswer {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

async function send(
  call: HttpCall,
  authorization: [string, string] | undefined,
  shutdown: AbortSignal,
  options: { dispatcher: Dispatcher; checkUrl(url: URL): void },
): Promise<HttpAnswer> {
  const headers = { ...call.headers };
  if (authorization !== undefined) headers[authorization[0]] = authorization[1];
  const timeout = AbortSignal.timeout(API_DESTINATION_TIMEOUT_MS);
  try {
    options.checkUrl(call.url);
    const response = await request(call.url, {
      method: call.method as Dispatcher.HttpMethod,
      headers,
      body: call.body ?? null,
      dispatcher: options.dispatcher,
      signal: AbortSignal.any([shutdown, timeout]),
    });
    const text = await response.body.text();
    return { statusCode: response.statusCode, headers: response.headers, text };
  } catch (error) {
    throw callFailure(call.url, error, timeout.aborted, shutdown.aborted);
  }
}

/** A failed call (no HTTP answer) as a delivery failure: refused addresses are final, the rest is retried. */
function callFailure(url: URL, error: unknown, timedOut: boolean, shutDown: boolean): DeliveryFailure {
  const target = `${url.protocol}//${url.host}`;
  if (timedOut) {
    return new DeliveryFailure(`${target} did not answer within ${API_DESTINATION_TIMEOUT_MS / 1000} s.`, {
      code: 'TIMEOUT',
      retryable: true,
      cause: error,
    });
  }
  if (shutDown) {
    return new DeliveryFailure('The call was cut short: the server is shutting down.', {
      code: 'INTERNAL_ERROR',
      retryable: true,
      cause: error,
    });
  }
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  if (cause instanceof OutboundAddressRefusedError || error instanceof OutboundAddressRefusedError) {
    const refused = cause instanceof OutboundAddressRefusedError ? cause : (error as Error);
    return new DeliveryFailure(refused.message, { code: 'NO_PERMISSIONS', retryable: false, cause: error });
  }
  if (error instanceof TypeError && /Invalid URL|protocol/i.test(error.message)) {
    return new DeliveryFailure(`Cannot call ${url.href}: ${error.message}`, {
      code: 'INVALID_PARAMETER',
      retryable: false,
      cause: error,
    });
  }
  const code =
    error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError
      ? 'TIMEOUT'
      : 'CONNECTION_FAILURE';
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new DeliveryFailure(`Could not call ${target}: ${reason}`, { code, retryable: true, cause: error });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
