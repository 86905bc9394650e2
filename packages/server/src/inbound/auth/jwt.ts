/**
 * JWT authentication against a JWKS URL (jose): signature, `exp`/`nbf` (with a clock tolerance), and
 * `iss`/`aud` when configured; then an optional JSONata role expression over the claims and the roles
 * the caller must all have. Key sets are fetched once per URL and cached by jose (re-fetched when a
 * token names an unknown `kid`, at most every 30 s), so a verified request costs no network call.
 */
import {
  createRemoteJWKSet,
  customFetch,
  errors as joseErrors,
  jwtVerify,
  type FetchImplementation,
  type JWTVerifyOptions,
} from 'jose';
import { InboundRequestError } from '../../errors.js';
import { compileExpression, headerValue, type CompiledExpression } from '../expressions.js';
import type { JwtAuthentication } from '../types.js';
import { type Authenticator, unauthorized } from './authenticator.js';

type KeySet = ReturnType<typeof createRemoteJWKSet>;

/** How a JWKS document is fetched (jose's custom fetch hook). */
export type JwksFetch = FetchImplementation;

/** Key sets by URL, shared by every endpoint of one server. */
export class JwksCache {
  private readonly sets = new Map<string, KeySet>();

  constructor(private readonly fetchJwks?: JwksFetch) {}

  get(url: string): KeySet {
    let set = this.sets.get(url);
    if (set === undefined) {
      set = createRemoteJWKSet(new URL(url), {
        timeoutDuration: 5000,
        cooldownDuration: 30_000,
        ...(this.fetchJwks !== undefined && { [customFetch]: this.fetchJwks }),
      });
      this.sets.set(url, set);
    }
    return set;
  }
}

const CHALLENGE = 'Bearer realm="busway"';

export interface JwtVerifier {
  /** The verified claims; throws 401 (bad token), 403 (missing role) or 503 (JWKS unreachable). */
  verify(token: string | undefined): Promise<Record<string, unknown>>;
  tokenLocator?: CompiledExpression;
}

export function createJwtVerifier(config: JwtAuthentication, jwks: JwksCache): JwtVerifier {
  const roleExpression =
    config.roleExpression === undefined
      ? undefined
      : compileExpression(config.roleExpression, 'The role expression');
  const options: JWTVerifyOptions = {
    clockTolerance: config.clockToleranceSeconds,
    ...(config.issuer !== undefined && { issuer: config.issuer }),
    ...(config.audience !== undefined && { audience: config.audience }),
    ...(config.algorithms !== undefined && { algorithms: config.algorithms }),
  };
  return {
    ...(config.tokenLocator !== undefined && {
      tokenLocator: compileExpression(config.tokenLocator, 'The token locator'),
    }),
    async verify(token) {
      if (token === undefined || token === '') {
        throw unauthorized('A bearer token is required: send Authorization: Bearer <JWT>.', CHALLENGE);
      }
      let claims: Record<string, unknown>;
      try {
        claims = (await jwtVerify(token, jwks.get(config.jwksUrl), options)).payload;
      } catch (error) {
        throw jwtFailure(error);
      }
      const required = config.requiredRoles ?? [];
      if (required.length > 0 || roleExpression !== undefined) {
        const roles = rolesOf(
          roleExpression === undefined
            ? undefined
            : await roleExpression.evaluate(claims).catch(() => undefined),
        );
        const missing = required.filter((role) => !roles.has(role));
        if (missing.length > 0) {
          throw new InboundRequestError(
            403,
            'Forbidden',
            `The token is valid but lacks the required role(s): ${missing.join(', ')}.`,
          );
        }
      }
      return claims;
    },
  };
}

function rolesOf(value: unknown): Set<string> {
  if (typeof value === 'string') return new Set(value.split(/[\s,]+/).filter((role) => role !== ''));
  if (Array.isArray(value)) return new Set(value.filter((role): role is string => typeof role === 'string'));
  return new Set();
}

function jwtFailure(error: unknown): InboundRequestError {
  if (error instanceof joseErrors.JWKSTimeout || error instanceof joseErrors.JWKSInvalid) {
    return new InboundRequestError(
      503,
      'Key set unavailable',
      `The JWKS could not be read: ${error.message}`,
      {
        'retry-after': '5',
      },
    );
  }
  if (error instanceof joseErrors.JWTExpired) return unauthorized('The token has expired.', CHALLENGE);
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    return unauthorized(`The token's "${error.claim}" claim is not accepted: ${error.reason}.`, CHALLENGE);
  }
  if (error instanceof joseErrors.JOSEError) {
    return unauthorized(`The token is not valid: ${error.message}`, CHALLENGE);
  }
  // fetch failures of the key set (connection refused, DNS): the server's dependency, not the caller's.
  if (error instanceof TypeError || (error instanceof Error && error.name === 'AbortError')) {
    return new InboundRequestError(503, 'Key set unavailable', 'The JWKS could not be fetched.', {
      'retry-after': '5',
    });
  }
  return unauthorized('The token is not valid.', CHALLENGE);
}

export function createJwtAuthenticator(config: JwtAuthentication, jwks: JwksCache): Authenticator {
  const verifier = createJwtVerifier(config, jwks);
  return async (request, view) => {
    let token: string | undefined;
    if (verifier.tokenLocator !== undefined) {
      const located = await verifier.tokenLocator.evaluate(view).catch(() => undefined);
      token = typeof located === 'string' ? located : undefined;
    } else {
      const match = /^Bearer[ ]+(\S+)\s*$/i.exec(headerValue(request, 'authorization') ?? '');
      token = match?.[1];
    }
    return { type: 'jwt', claims: await verifier.verify(token) };
  };
}
