/**
 * Access tokens for OAUTH_CLIENT_CREDENTIALS connections: the client credentials grant of RFC 6749
 * §4.4, as EventBridge uses it (reference §6).
 *
 * The request goes to the connection's AuthorizationEndpoint with its HttpMethod: a form body
 * `grant_type=client_credentials` plus the connection's OAuthHttpParameters body parameters, its header
 * and query string parameters on the request, and the client id and secret as HTTP Basic (§2.3.1: each
 * form-urlencoded, then base64). A GET has no body, so there the form fields go in the query string. The
 * token is `access_token` of the JSON answer; it is reused until `expires_in` minus 60 s (EventBridge
 * refreshes tokens that expire within 60 s), or until refreshed when the answer has no `expires_in`.
 * Concurrent callers share one request, `refresh: true` included: after a 401 from a destination, every
 * delivery that saw it asks for a refresh, and one new token serves them all.
 *
 * Failures are DeliveryFailures, retryable where trying again could help: connection errors, the 5 s
 * timeout, 5xx and 429 (with its Retry-After). Any other 4xx means the endpoint refused these
 * credentials, so it is final, code NO_PERMISSIONS (EventBridge's code for a call it is not allowed to
 * make); a 2xx without a usable token is final too (ERROR_FROM_TARGET). Messages name the endpoint
 * without its query string (which may carry secret parameters) and never a credential or a token.
 */
import { createHash } from 'node:crypto';
import { request, type Dispatcher } from 'undici';

import type { ConnectionHttpParameters, ResolvedConnection } from '../bus/connection-types.js';
import { OutboundAddressRefusedError } from './outbound.js';
import { DeliveryFailure, parseRetryAfter, responseExcerpt } from './target-result.js';

/** The client execution timeout of EventBridge's HTTP calls, token requests included. */
export const TOKEN_REQUEST_TIMEOUT_MS = 5000;
/** Tokens are refreshed this long before they expire. */
export const TOKEN_EXPIRY_MARGIN_MS = 60_000;
/** Largest token answer read; a token endpoint has no reason to send more. */
const MAX_TOKEN_RESPONSE_BYTES = 256 * 1024;

export interface OAuthTokenCacheOptions {
  dispatcher: Dispatcher;
  /** Refuses URLs the outbound policy forbids (outbound.ts createOutboundDispatcher().checkUrl). */
  checkUrl(url: URL): void;
  /** Clock in epoch ms. */
  now?: () => number;
}

export interface OAuthTokenCache {
  /** A token for the connection: the cached one, or a new one (always new with `refresh`). */
  getToken(connection: ResolvedConnection, options?: { refresh?: boolean }): Promise<string>;
  /** Forgets the connection's token (its settings changed, or it was deleted). */
  invalidate(connectionArn: string): void;
}

interface CachedToken {
  token: string;
  /** Epoch ms after which the token is fetched again; undefined: until refreshed. */
  staleAt: number | undefined;
  /** Which credentials and settings it was issued for. */
  fingerprint: string;
}

interface InFlight {
  fingerprint: string;
  promise: Promise<string>;
}

export function createOAuthTokenCache(options: OAuthTokenCacheOptions): OAuthTokenCache {
  const now = options.now ?? Date.now;
  const tokens = new Map<string, CachedToken>();
  const inFlight = new Map<string, InFlight>();

  async function fetchToken(connection: ResolvedConnection, oauth: OAuthSettings): Promise<CachedToken> {
    const url = new URL(oauth.authorizationEndpoint);
    const where = `${url.origin}${url.pathname}`;
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    for (const parameter of oauth.httpParameters?.bodyParameters ?? [])
      form.append(parameter.key, parameter.value);
    for (const parameter of oauth.httpParameters?.queryStringParameters ?? []) {
      url.searchParams.append(parameter.key, parameter.value);
    }
    const withBody = oauth.httpMethod !== 'GET';
    if (!withBody) for (const [key, value] of form) url.searchParams.append(key, value);
    const headers: Record<string, string> = {};
    for (const parameter of oauth.httpParameters?.headerParameters ?? []) {
      headers[parameter.key.toLowerCase()] = parameter.value;
    }
    headers.accept = 'application/json';
    headers.authorization = `Basic ${Buffer.from(
      `${formEncode(oauth.clientId)}:${formEncode(oauth.clientSecret)}`,
      'utf8',
    ).toString('base64')}`;
    if (withBody) headers['content-type'] = 'application/x-www-form-urlencoded';

    let statusCode: number;
    let responseHeaders: Record<string, string | string[] | undefined>;
    let text: string;
    try {
      options.checkUrl(url);
      const response = await request(url, {
        method: oauth.httpMethod,
        headers,
        ...(withBody && { body: form.toString() }),
        dispatcher: options.dispatcher,
        headersTimeout: TOKEN_REQUEST_TIMEOUT_MS,
        bodyTimeout: TOKEN_REQUEST_TIMEOUT_MS,
        signal: AbortSignal.timeout(TOKEN_REQUEST_TIMEOUT_MS),
      });
      statusCode = response.statusCode;
      responseHeaders = response.headers;
      text = await readLimited(response.body);
    } catch (error) {
      throw requestFailure(connection, where, error);
    }

    if (statusCode >= 200 && statusCode < 300) {
      const parsed = parseTokenAnswer(text);
      if (parsed === undefined) {
        throw new DeliveryFailure(
          `The OAuth token endpoint ${where} of connection ${connection.name} answered ${statusCode} ` +
            'without an access_token in a JSON body.',
          { code: 'ERROR_FROM_TARGET', retryable: false, statusCode },
        );
      }
      const at = now();
      return {
        token: parsed.accessToken,
        staleAt:
          parsed.expiresInSeconds === undefined
            ? undefined
            : at + parsed.expiresInSeconds * 1000 - TOKEN_EXPIRY_MARGIN_MS,
        fingerprint: '',
      };
    }
    const excerpt = responseExcerpt(text);
    const message =
      `The OAuth token endpoint ${where} of connection ${connection.name} answered ${statusCode}` +
      (excerpt === '' ? '.' : `: ${excerpt.slice(0, 200)}`);
    if (statusCode === 429 || statusCode >= 500) {
      const retryAfterMs = parseRetryAfter(responseHeaders['retry-after'], now());
      throw new DeliveryFailure(message, {
        code: statusCode === 429 ? 'THROTTLING' : 'ERROR_FROM_TARGET',
        retryable: true,
        statusCode,
        responseExcerpt: excerpt,
        ...(retryAfterMs !== undefined && { retryAfterMs }),
      });
    }
    throw new DeliveryFailure(message, {
      code: 'NO_PERMISSIONS',
      retryable: false,
      statusCode,
      responseExcerpt: excerpt,
    });
  }

  return {
    getToken(connection, getOptions = {}) {
      const oauth = connection.oauth;
      if (connection.authorizationType !== 'OAUTH_CLIENT_CREDENTIALS' || oauth === undefined) {
        return Promise.reject(
          new DeliveryFailure(
            `Connection ${connection.name} has no OAuth client credentials (it is ${connection.authorizationType}, ` +
              'or was deauthorized): update the connection with its OAuthParameters.',
            { code: 'NO_PERMISSIONS', retryable: false },
          ),
        );
      }
      const fingerprint = fingerprintOf(oauth);
      const cached = tokens.get(connection.arn);
      if (
        getOptions.refresh !== true &&
        cached !== undefined &&
        cached.fingerprint === fingerprint &&
        (cached.staleAt === undefined || now() < cached.staleAt)
      ) {
        return Promise.resolve(cached.token);
      }
      const running = inFlight.get(connection.arn);
      if (running !== undefined && running.fingerprint === fingerprint) return running.promise;

      const entry: InFlight = {
        fingerprint,
        promise: fetchToken(connection, oauth).then(
          (fetched) => {
            // Kept only if nobody invalidated the connection (or started another fetch) meanwhile.
            if (inFlight.get(connection.arn) === entry) {
              inFlight.delete(connection.arn);
              tokens.set(connection.arn, { ...fetched, fingerprint });
            }
            return fetched.token;
          },
          (error: unknown) => {
            if (inFlight.get(connection.arn) === entry) inFlight.delete(connection.arn);
            throw error;
          },
        ),
      };
      inFlight.set(connection.arn, entry);
      return entry.promise;
    },

    invalidate(connectionArn) {
      tokens.delete(connectionArn);
      inFlight.delete(connectionArn);
    },
  };
}

type OAuthSettings = NonNullable<ResolvedConnection['oauth']>;

/** A digest of everything a token depends on, so a changed connection never gets a stale token. */
function fingerprintOf(oauth: OAuthSettings): string {
  const parameters: ConnectionHttpParameters = oauth.httpParameters ?? {};
  return createHash('sha256')
    .update(
      JSON.stringify([
        oauth.authorizationEndpoint,
        oauth.httpMethod,
        oauth.clientId,
        oauth.clientSecret,
        parameters.headerParameters ?? [],
        parameters.queryStringParameters ?? [],
        parameters.bodyParameters ?? [],
      ]),
    )
    .digest('base64url');
}

/** application/x-www-form-urlencoded, as RFC 6749 §2.3.1 asks for the id and secret in Basic auth. */
function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

function parseTokenAnswer(text: string): { accessToken: string; expiresInSeconds?: number } | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof body !== 'object' || body === null) return undefined;
  const { access_token: accessToken, expires_in: expiresIn } = body as Record<string, unknown>;
  if (typeof accessToken !== 'string' || accessToken === '') return undefined;
  // Some servers send expires_in as a string of digits.
  const seconds =
    typeof expiresIn === 'number'
      ? expiresIn
      : typeof expiresIn === 'string'
        ? Number(expiresIn)
        : Number.NaN;
  return Number.isFinite(seconds) && seconds >= 0
    ? { accessToken, expiresInSeconds: seconds }
    : { accessToken };
}

async function readLimited(body: AsyncIterable<Buffer | Uint8Array> & { destroy?(): void }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_TOKEN_RESPONSE_BYTES) {
      body.destroy?.();
      throw Object.assign(new Error('token answer too large'), { code: 'BUSWAY_TOKEN_TOO_LARGE' });
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A failure before an HTTP answer was read: refused, timed out, or the connection failed. */
function requestFailure(connection: ResolvedConnection, where: string, error: unknown): DeliveryFailure {
  const prefix = `The OAuth token request of connection ${connection.name} to ${where}`;
  if (error instanceof OutboundAddressRefusedError) {
    return new DeliveryFailure(`${prefix} was refused: ${error.message}`, {
      code: 'CONNECTION_FAILURE',
      retryable: false,
      cause: error,
    });
  }
  const code = (error as { code?: unknown } | null)?.code;
  const name = (error as { name?: unknown } | null)?.name;
  if (code === 'BUSWAY_TOKEN_TOO_LARGE') {
    return new DeliveryFailure(`${prefix} got an answer over ${MAX_TOKEN_RESPONSE_BYTES} bytes.`, {
      code: 'ERROR_FROM_TARGET',
      retryable: false,
      cause: error,
    });
  }
  if (
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT' ||
    code === 'UND_ERR_CONNECT_TIMEOUT' ||
    // The request's own AbortSignal.timeout is the only signal, so an abort is the timeout.
    code === 'UND_ERR_ABORTED' ||
    name === 'TimeoutError' ||
    name === 'AbortError'
  ) {
    return new DeliveryFailure(`${prefix} timed out after ${TOKEN_REQUEST_TIMEOUT_MS} ms.`, {
      code: 'TIMEOUT',
      retryable: true,
      cause: error,
    });
  }
  const detail = error instanceof Error ? error.message : String(error);
  return new DeliveryFailure(`${prefix} failed: ${detail}`, {
    code: 'CONNECTION_FAILURE',
    retryable: true,
    cause: error,
  });
}
