/**
 * The OAuth client-credentials token client against a real token endpoint on 127.0.0.1: what it sends
 * (RFC 6749 §4.4), caching until expiry, shared concurrent fetches, refresh and rotation, and which
 * failures are retryable.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import type { ResolvedConnection } from '../../src/bus/connection-types.js';
import { createOAuthTokenCache, TOKEN_EXPIRY_MARGIN_MS } from '../../src/delivery/oauth-tokens.js';
import { createOutboundDispatcher } from '../../src/delivery/outbound.js';
import { DeliveryFailure } from '../../src/delivery/target-result.js';

interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A token endpoint: issues `token-N` (N counting up) to client `app`/`s3cr:t`, with `expiresIn`. */
let server: Server;
let base: string;
let seen: SeenRequest[];
let expiresIn: unknown;
let answer: { status: number; body: string; headers?: Record<string, string> } | undefined;
let issued: number;
let hold: Promise<void> | undefined;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        seen.push({
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString(),
        });
        if (hold !== undefined) await hold;
        if (answer !== undefined) {
          res
            .writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers })
            .end(answer.body);
          return;
        }
        const expected = `Basic ${Buffer.from('app:s3cr%3At').toString('base64')}`;
        if (req.headers.authorization !== expected) {
          res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid_client"}');
          return;
        }
        issued += 1;
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(
            JSON.stringify({ access_token: `token-${issued}`, token_type: 'Bearer', expires_in: expiresIn }),
          );
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const outbound = createOutboundDispatcher({ allowCidrs: [] });
afterAll(() => outbound.close());

let clock: number;
beforeEach(() => {
  seen = [];
  expiresIn = 3600;
  answer = undefined;
  issued = 0;
  hold = undefined;
  clock = 1_700_000_000_000;
});

function newCache() {
  return createOAuthTokenCache({
    dispatcher: outbound.dispatcher,
    checkUrl: outbound.checkUrl,
    now: () => clock,
  });
}

function connection(
  fields: Partial<NonNullable<ResolvedConnection['oauth']>> = {},
  arn = 'arn:c/1',
): ResolvedConnection {
  return {
    arn,
    name: 'oauth-conn',
    state: 'AUTHORIZED',
    authorizationType: 'OAUTH_CLIENT_CREDENTIALS',
    oauth: {
      authorizationEndpoint: `${base}/oauth/token?tenant=t1`,
      httpMethod: 'POST',
      clientId: 'app',
      clientSecret: 's3cr:t',
      httpParameters: {
        headerParameters: [{ key: 'X-Tenant', value: 'acme', isValueSecret: false }],
        queryStringParameters: [{ key: 'audience', value: 'events', isValueSecret: true }],
        bodyParameters: [{ key: 'scope', value: 'read write', isValueSecret: false }],
      },
      ...fields,
    },
  };
}

async function failureOf(promise: Promise<unknown>): Promise<DeliveryFailure> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(DeliveryFailure);
    return error as DeliveryFailure;
  }
  throw new Error('expected a failure');
}

describe('OAuth client-credentials tokens', () => {
  it('sends the client credentials grant with Basic credentials and the connection parameters', async () => {
    const tokens = newCache();
    expect(await tokens.getToken(connection())).toBe('token-1');
    expect(seen).toHaveLength(1);
    const [request] = seen;
    expect(request?.method).toBe('POST');
    const url = new URL(request!.url, base);
    expect(url.pathname).toBe('/oauth/token');
    expect(Object.fromEntries(url.searchParams)).toStrictEqual({ tenant: 't1', audience: 'events' });
    expect(request?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request?.headers['x-tenant']).toBe('acme');
    expect(Object.fromEntries(new URLSearchParams(request!.body))).toStrictEqual({
      grant_type: 'client_credentials',
      scope: 'read write',
    });
  });

  it('puts the form in the query string for GET', async () => {
    const tokens = newCache();
    expect(await tokens.getToken(connection({ httpMethod: 'GET' }))).toBe('token-1');
    const url = new URL(seen[0]!.url, base);
    expect(seen[0]?.method).toBe('GET');
    expect(url.searchParams.get('grant_type')).toBe('client_credentials');
    expect(url.searchParams.get('scope')).toBe('read write');
    expect(seen[0]?.body).toBe('');
  });

  it('reuses a token until expires_in minus 60 s, then fetches a new one', async () => {
    const tokens = newCache();
    expiresIn = 120;
    expect(await tokens.getToken(connection())).toBe('token-1');
    clock += 120_000 - TOKEN_EXPIRY_MARGIN_MS - 1;
    expect(await tokens.getToken(connection())).toBe('token-1');
    expect(seen).toHaveLength(1);
    clock += 1;
    expect(await tokens.getToken(connection())).toBe('token-2');
    expect(seen).toHaveLength(2);
  });

  it('keeps a token without expires_in until refreshed, and refresh rotates it', async () => {
    const tokens = newCache();
    expiresIn = undefined;
    expect(await tokens.getToken(connection())).toBe('token-1');
    clock += 365 * 24 * 3600_000;
    expect(await tokens.getToken(connection())).toBe('token-1');
    expect(await tokens.getToken(connection(), { refresh: true })).toBe('token-2');
    expect(await tokens.getToken(connection())).toBe('token-2');
    expect(seen).toHaveLength(2);
  });

  it('shares one request among concurrent callers, refreshes included', async () => {
    const tokens = newCache();
    let release!: () => void;
    hold = new Promise((resolve) => (release = resolve));
    const calls = [
      tokens.getToken(connection()),
      tokens.getToken(connection(), { refresh: true }),
      tokens.getToken(connection(), { refresh: true }),
      tokens.getToken(connection()),
    ];
    const first = await Promise.race([
      Promise.all(calls),
      new Promise((resolve) => setImmediate(resolve, 'pending')),
    ]);
    expect(first).toBe('pending');
    release();
    expect(await Promise.all(calls)).toStrictEqual(['token-1', 'token-1', 'token-1', 'token-1']);
    expect(seen).toHaveLength(1);
  });

  it('fetches again after invalidate, and for changed credentials', async () => {
    const tokens = newCache();
    expect(await tokens.getToken(connection())).toBe('token-1');
    tokens.invalidate('arn:c/1');
    expect(await tokens.getToken(connection())).toBe('token-2');
    // Same ARN, other settings (another process changed the connection): not the cached token.
    answer = { status: 200, body: '{"access_token":"other"}' };
    expect(await tokens.getToken(connection({ clientId: 'app2' }))).toBe('other');
  });

  it('refuses bad credentials with a final NO_PERMISSIONS failure that names no secret', async () => {
    const tokens = newCache();
    const failure = await failureOf(tokens.getToken(connection({ clientSecret: 'wrong-secret' })));
    expect(failure).toMatchObject({ code: 'NO_PERMISSIONS', retryable: false, statusCode: 401 });
    expect(failure.message).toContain('401');
    expect(failure.message).not.toContain('wrong-secret');
    expect(failure.message).not.toContain('audience');
    // Nothing cached: fixed credentials work at once.
    expect(await tokens.getToken(connection())).toBe('token-1');
  });

  it('retries 5xx and 429 (with Retry-After), not a 2xx without a token', async () => {
    const tokens = newCache();
    answer = { status: 503, body: 'down' };
    expect(await failureOf(tokens.getToken(connection()))).toMatchObject({
      code: 'ERROR_FROM_TARGET',
      retryable: true,
      statusCode: 503,
    });
    answer = { status: 429, body: '', headers: { 'retry-after': '7' } };
    expect(await failureOf(tokens.getToken(connection()))).toMatchObject({
      code: 'THROTTLING',
      retryable: true,
      retryAfterMs: 7000,
    });
    answer = { status: 200, body: '{"token":"x"}' };
    expect(await failureOf(tokens.getToken(connection()))).toMatchObject({
      code: 'ERROR_FROM_TARGET',
      retryable: false,
    });
  });

  it('retries a connection failure, and refuses metadata addresses for good', async () => {
    const tokens = newCache();
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(
      await failureOf(
        tokens.getToken(connection({ authorizationEndpoint: `http://127.0.0.1:${port}/token` })),
      ),
    ).toMatchObject({ code: 'CONNECTION_FAILURE', retryable: true });
    expect(
      await failureOf(
        tokens.getToken(connection({ authorizationEndpoint: 'http://169.254.169.254/latest/token' })),
      ),
    ).toMatchObject({ code: 'CONNECTION_FAILURE', retryable: false });
  });

  it('refuses a connection without OAuth credentials', async () => {
    const tokens = newCache();
    const deauthorized: ResolvedConnection = { ...connection() };
    delete deauthorized.oauth;
    expect(await failureOf(tokens.getToken(deauthorized))).toMatchObject({
      code: 'NO_PERMISSIONS',
      retryable: false,
    });
    expect(seen).toHaveLength(0);
  });
});
