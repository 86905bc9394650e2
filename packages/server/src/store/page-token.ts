import { InvalidNextTokenError } from './errors.js';

/**
 * Page tokens are the base64url of `{"after": <last sort key>}`: opaque to callers, stateless for the
 * store (nothing to expire or clean up), and stable when rows are added or removed between pages, since
 * the next page starts strictly after the key rather than at an offset. Shared by every backend.
 */
export function encodePageToken(after: string | number): string {
  return Buffer.from(JSON.stringify({ after }), 'utf8').toString('base64url');
}

/** The sort key a string-keyed page token carries (names, ids); `undefined` for the first page. */
export function decodeStringPageToken(token: string | undefined): string | undefined {
  if (token === undefined) return undefined;
  const after = decode(token);
  if (typeof after !== 'string') throw new InvalidNextTokenError();
  return after;
}

/** The sort key a number-keyed page token carries (sequence numbers); `undefined` for the first page. */
export function decodeNumberPageToken(token: string | undefined): number | undefined {
  if (token === undefined) return undefined;
  const after = decode(token);
  if (typeof after !== 'number' || !Number.isSafeInteger(after)) throw new InvalidNextTokenError();
  return after;
}

/** Checks a page size: the API layer validates Limit, so a bad one here is a programming error. */
export function checkPageLimit(limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new RangeError(`A page limit must be a positive integer, got ${String(limit)}.`);
  }
}

function decode(token: string): unknown {
  if (!/^[A-Za-z0-9_-]+$/.test(token)) throw new InvalidNextTokenError();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch (error) {
    throw new InvalidNextTokenError({ cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || !('after' in parsed))
    throw new InvalidNextTokenError();
  return parsed.after;
}
