/**
 * Authentication settings of a definition: checked and defaulted when an endpoint is created, split
 * into the public part (stored as the definition) and the secrets (sealed apart), and turned into an
 * Authenticator when the endpoint serves requests.
 */
import { randomBytes } from 'node:crypto';
import { ValidationError } from '../../errors.js';
import { compileExpression } from '../expressions.js';
import type { AuthenticationConfig, HmacAlgorithm, JwtAuthentication } from '../types.js';
import { createApiKeyAuthenticator } from './api-key.js';
import type { Authenticator } from './authenticator.js';
import { createBasicAuthenticator } from './basic.js';
import { createHmacAuthenticator, createStandardWebhooksAuthenticator, standardWebhooksKey } from './hmac.js';
import { type JwksCache, createJwtAuthenticator, createJwtVerifier } from './jwt.js';

/** An authentication setting as the management API gives it (secrets possibly absent: generated). */
export type AuthenticationInput = { type: string } & Record<string, unknown>;

const MAX_SECRETS = 10;
const MAX_SECRET_LENGTH = 1024;
const DEFAULT_TOLERANCE_SECONDS = 300;
const HMAC_ALGORITHMS: readonly HmacAlgorithm[] = ['sha1', 'sha256', 'sha512'];

function str(
  input: Record<string, unknown>,
  key: string,
  what: string,
  required: boolean,
): string | undefined {
  const value = input[key];
  if (value === undefined) {
    if (required) throw new ValidationError(`${what} is required.`);
    return undefined;
  }
  if (typeof value !== 'string' || value === '')
    throw new ValidationError(`${what} must be a non-empty string.`);
  return value;
}

function strings(input: Record<string, unknown>, key: string, what: string): string[] | undefined {
  const value = input[key];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || item === '')) {
    throw new ValidationError(`${what} must be a list of non-empty strings.`);
  }
  return value as string[];
}

function secretsOf(input: Record<string, unknown>, key: string, what: string): string[] | undefined {
  const list = strings(input, key, what);
  if (list === undefined) return undefined;
  if (list.length > MAX_SECRETS) throw new ValidationError(`${what}: at most ${MAX_SECRETS}.`);
  if (list.some((secret) => secret.length > MAX_SECRET_LENGTH)) {
    throw new ValidationError(`${what}: each at most ${MAX_SECRET_LENGTH} characters.`);
  }
  return list;
}

function seconds(input: Record<string, unknown>, key: string, what: string, fallback: number): number {
  const value = input[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 86_400) {
    throw new ValidationError(`${what} must be a whole number of seconds from 0 to 86400.`);
  }
  return value;
}

export function normaliseJwt(input: Record<string, unknown>): JwtAuthentication {
  const jwksUrl = str(input, 'jwksUrl', 'JwksUrl', true) ?? '';
  let url: URL;
  try {
    url = new URL(jwksUrl);
  } catch {
    throw new ValidationError('JwksUrl must be an absolute http(s) URL.');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ValidationError('JwksUrl must be an absolute http(s) URL.');
  }
  const issuer = str(input, 'issuer', 'Issuer', false);
  const audience = strings(input, 'audience', 'Audience');
  const algorithms = strings(input, 'algorithms', 'Algorithms');
  const tokenLocator = str(input, 'tokenLocator', 'TokenLocator', false);
  const roleExpression = str(input, 'roleExpression', 'RoleExpression', false);
  const requiredRoles = strings(input, 'requiredRoles', 'RequiredRoles');
  if (tokenLocator !== undefined) compileExpression(tokenLocator, 'TokenLocator');
  if (roleExpression !== undefined) compileExpression(roleExpression, 'RoleExpression');
  if (requiredRoles !== undefined && requiredRoles.length > 0 && roleExpression === undefined) {
    throw new ValidationError(
      'RequiredRoles needs a RoleExpression that says where the roles are in the token.',
    );
  }
  return {
    type: 'jwt',
    jwksUrl: url.href,
    ...(issuer !== undefined && { issuer }),
    ...(audience !== undefined && { audience }),
    ...(algorithms !== undefined && { algorithms }),
    ...(tokenLocator !== undefined && { tokenLocator }),
    ...(roleExpression !== undefined && { roleExpression }),
    ...(requiredRoles !== undefined && { requiredRoles }),
    clockToleranceSeconds: seconds(input, 'clockToleranceSeconds', 'ClockToleranceSeconds', 0),
  };
}

/**
 * Checks and defaults an authentication setting. Standard Webhooks and API key settings without
 * secrets get one generated (returned in `generated`, shown to the creator once).
 */
export function normaliseAuthentication(input: AuthenticationInput | undefined): {
  config: AuthenticationConfig;
  generated?: string;
} {
  if (input === undefined) {
    throw new ValidationError('Authentication is required; use {"Type":"NONE"} for an open endpoint.');
  }
  switch (input.type) {
    case 'none':
      return { config: { type: 'none' } };
    case 'basic':
      return {
        config: {
          type: 'basic',
          username: str(input, 'username', 'Username', true) ?? '',
          password: str(input, 'password', 'Password', true) ?? '',
        },
      };
    case 'api-key': {
      const locator = str(input, 'locator', 'Locator', false) ?? '$lookup(headers, "x-api-key")';
      compileExpression(locator, 'Locator');
      const keys = secretsOf(input, 'keys', 'Keys') ?? [];
      if (keys.length > 0) return { config: { type: 'api-key', locator, keys } };
      const generated = randomBytes(24).toString('base64url');
      return { config: { type: 'api-key', locator, keys: [generated] }, generated };
    }
    case 'jwt':
      return { config: normaliseJwt(input) };
    case 'standard-webhooks': {
      const toleranceSeconds = seconds(
        input,
        'toleranceSeconds',
        'ToleranceSeconds',
        DEFAULT_TOLERANCE_SECONDS,
      );
      const secrets = secretsOf(input, 'secrets', 'Secrets') ?? [];
      for (const secret of secrets) {
        if (standardWebhooksKey(secret).length < 16) {
          throw new ValidationError(
            'Standard Webhooks secrets are whsec_ followed by at least 16 bytes of base64.',
          );
        }
      }
      if (secrets.length > 0) return { config: { type: 'standard-webhooks', secrets, toleranceSeconds } };
      const generated = `whsec_${randomBytes(32).toString('base64')}`;
      return { config: { type: 'standard-webhooks', secrets: [generated], toleranceSeconds }, generated };
    }
    case 'hmac': {
      const algorithm = (str(input, 'algorithm', 'Algorithm', false) ?? 'sha256').toLowerCase();
      if (!HMAC_ALGORITHMS.includes(algorithm as HmacAlgorithm)) {
        throw new ValidationError(`Algorithm must be one of ${HMAC_ALGORITHMS.join(', ')}.`);
      }
      const encoding = (str(input, 'encoding', 'Encoding', false) ?? 'hex').toLowerCase();
      if (encoding !== 'hex' && encoding !== 'base64')
        throw new ValidationError('Encoding must be hex or base64.');
      const format = (str(input, 'format', 'Format', false) ?? 'plain').toLowerCase().replace('_', '-');
      if (format !== 'plain' && format !== 'key-value')
        throw new ValidationError('Format must be PLAIN or KEY_VALUE.');
      const signedPayload = str(input, 'signedPayload', 'SignedPayload', false) ?? '{body}';
      if (signedPayload.split('{body}').length !== 2) {
        throw new ValidationError('SignedPayload must contain {body} exactly once.');
      }
      const secrets = secretsOf(input, 'secrets', 'Secrets') ?? [];
      if (secrets.length === 0) throw new ValidationError('Secrets must hold at least one HMAC secret.');
      const header = str(input, 'header', 'Header', true) ?? '';
      if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(header))
        throw new ValidationError('Header must be an HTTP header name.');
      const prefix = str(input, 'prefix', 'Prefix', false);
      const signatureKey = str(input, 'signatureKey', 'SignatureKey', false);
      const timestampKey = str(input, 'timestampKey', 'TimestampKey', false);
      const timestampHeader = str(input, 'timestampHeader', 'TimestampHeader', false);
      if (
        signedPayload.includes('{timestamp}') &&
        timestampKey === undefined &&
        timestampHeader === undefined
      ) {
        throw new ValidationError(
          'SignedPayload uses {timestamp}: set TimestampKey (KEY_VALUE) or TimestampHeader.',
        );
      }
      return {
        config: {
          type: 'hmac',
          header,
          algorithm: algorithm as HmacAlgorithm,
          encoding,
          secrets,
          format,
          ...(prefix !== undefined && { prefix }),
          ...(signatureKey !== undefined && { signatureKey }),
          ...(timestampKey !== undefined && { timestampKey }),
          ...(timestampHeader !== undefined && { timestampHeader }),
          signedPayload,
          toleranceSeconds: seconds(input, 'toleranceSeconds', 'ToleranceSeconds', DEFAULT_TOLERANCE_SECONDS),
        },
      };
    }
    default:
      throw new ValidationError(
        `Authentication Type ${JSON.stringify(input.type)} is not one of NONE, BASIC, API_KEY, JWT, STANDARD_WEBHOOKS, HMAC.`,
      );
  }
}

/** The secrets of a setting, in a fixed order, and the setting without them (what is stored in clear). */
export function splitSecrets(config: AuthenticationConfig): {
  public: Record<string, unknown>;
  secrets: string[];
} {
  switch (config.type) {
    case 'basic': {
      const { password, ...rest } = config;
      return { public: rest, secrets: [password] };
    }
    case 'api-key': {
      const { keys, ...rest } = config;
      return { public: rest, secrets: keys };
    }
    case 'standard-webhooks':
    case 'hmac': {
      const { secrets, ...rest } = config;
      return { public: rest, secrets };
    }
    default:
      return { public: config as unknown as Record<string, unknown>, secrets: [] };
  }
}

/** The inverse of splitSecrets. */
export function joinSecrets(
  publicPart: Record<string, unknown>,
  secrets: readonly string[],
): AuthenticationConfig {
  switch (publicPart['type']) {
    case 'basic':
      return { ...publicPart, password: secrets[0] ?? '' } as AuthenticationConfig;
    case 'api-key':
      return { ...publicPart, keys: [...secrets] } as AuthenticationConfig;
    case 'standard-webhooks':
    case 'hmac':
      return { ...publicPart, secrets: [...secrets] } as AuthenticationConfig;
    default:
      return publicPart as unknown as AuthenticationConfig;
  }
}

export function compileAuthentication(config: AuthenticationConfig, jwks: JwksCache): Authenticator {
  switch (config.type) {
    case 'none':
      return async () => ({ type: 'none' });
    case 'basic':
      return createBasicAuthenticator(config.username, config.password);
    case 'api-key':
      return createApiKeyAuthenticator(compileExpression(config.locator, 'Locator'), config.keys);
    case 'jwt':
      return createJwtAuthenticator(config, jwks);
    case 'standard-webhooks':
      return createStandardWebhooksAuthenticator(config.secrets, config.toleranceSeconds);
    case 'hmac':
      return createHmacAuthenticator(config);
  }
}

export { createJwtVerifier };
