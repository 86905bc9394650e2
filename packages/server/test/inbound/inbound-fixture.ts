/**
 * Shared parts of the inbound tests: Busway.* management calls over real HTTP, a real JWKS endpoint on
 * 127.0.0.1 serving keys made by jose, and token minting.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';

/** Calls `Busway.<operation>` unsigned (the test servers have no access keys: open mode). */
export async function busway(
  url: string,
  operation: string,
  input: Record<string, unknown>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `Busway.${operation}` },
    body: JSON.stringify(input),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

/** Like busway() but fails the test unless the call succeeded. */
export async function mustCall(url: string, operation: string, input: Record<string, unknown>) {
  const { status, body } = await busway(url, operation, input);
  if (status !== 200) throw new Error(`${operation} answered ${status}: ${JSON.stringify(body)}`);
  return body;
}

export interface Jwks {
  readonly url: string;
  /** A token signed with the served key. */
  sign(
    claims: JWTPayload,
    options?: {
      expiresIn?: string | number;
      key?: CryptoKey;
      kid?: string;
      issuer?: string;
      audience?: string;
    },
  ): Promise<string>;
  /** A key pair that is not in the served set. */
  readonly strangerKey: CryptoKey;
  /** Requests the JWKS endpoint has served. */
  fetches(): number;
  close(): Promise<void>;
}

export const ISSUER = 'https://issuer.test/';
export const AUDIENCE = 'busway-tests';

export async function startJwks(): Promise<Jwks> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const stranger = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'key-1', alg: 'RS256', use: 'sig' };
  let served = 0;
  const server: Server = createServer((_request, response) => {
    served++;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    strangerKey: stranger.privateKey,
    fetches: () => served,
    async sign(claims, options = {}) {
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? 'key-1' })
        .setIssuedAt()
        .setIssuer(options.issuer ?? ISSUER)
        .setAudience(options.audience ?? AUDIENCE)
        .setExpirationTime(options.expiresIn ?? '5m')
        .sign(options.key ?? privateKey);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** A problem body answer: status, content type and members. */
export async function expectProblem(response: Response): Promise<Record<string, unknown>> {
  const text = await response.text();
  const body = JSON.parse(text) as Record<string, unknown>;
  if (!response.headers.get('content-type')?.startsWith('application/problem+json')) {
    throw new Error(`not a problem body (${response.headers.get('content-type')}): ${text}`);
  }
  if (
    body['status'] !== response.status ||
    typeof body['title'] !== 'string' ||
    typeof body['detail'] !== 'string' ||
    typeof body['type'] !== 'string'
  ) {
    throw new Error(`problem body without type/title/status/detail: ${text}`);
  }
  return body;
}
