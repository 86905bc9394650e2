/**
 * Per-endpoint request rate limits: a token bucket per endpoint and server process (several nodes each
 * apply the limit). Tokens refill continuously at `requestsPerSecond` up to `burst`.
 */
import type { RateLimit } from './types.js';

export interface TokenBucket {
  /** Takes a token; when none is left, the seconds until one is (for Retry-After). */
  take(now: number): { ok: true } | { ok: false; retryAfterSeconds: number };
}

export function createTokenBucket(limit: RateLimit, start: number): TokenBucket {
  let tokens = limit.burst;
  let at = start;
  return {
    take(now) {
      tokens = Math.min(limit.burst, tokens + ((now - at) / 1000) * limit.requestsPerSecond);
      at = now;
      if (tokens >= 1) {
        tokens -= 1;
        return { ok: true };
      }
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / limit.requestsPerSecond)) };
    },
  };
}
