/**
 * What every authentication mode of an inbound endpoint produces: a function that checks a request
 * and says who the caller is, or throws InboundRequestError (401 for missing or wrong credentials, 403
 * for a caller without the required roles).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { InboundRequestError } from '../../errors.js';
import type { RequestView } from '../expressions.js';
import type { InboundRequest } from '../types.js';

export interface AuthContext {
  type: string;
  /** The verified JWT claims (JWT mode). */
  claims?: Record<string, unknown>;
  /** The Basic user name. */
  username?: string;
}

export type Authenticator = (request: InboundRequest, view: RequestView) => Promise<AuthContext>;

export function unauthorized(detail: string, challenge?: string): InboundRequestError {
  return new InboundRequestError(
    401,
    'Unauthorized',
    detail,
    challenge === undefined ? {} : { 'www-authenticate': challenge },
  );
}

/**
 * Compares a presented secret with a stored one in time independent of where they differ: both are
 * hashed first, so their lengths leak nothing either.
 */
export function secretEquals(presented: string | Buffer, stored: string | Buffer): boolean {
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(stored).digest();
  return timingSafeEqual(a, b);
}
