/**
 * What happens after a failed attempt: another attempt later, or the end of the delivery. EventBridge's
 * RetryPolicy bounds both the number of retries (MaximumRetryAttempts, 0-185, default 185) and the age
 * of the event (MaximumEventAgeInSeconds, 60-86400, default 86400); the first limit reached ends it.
 *
 * Delays grow exponentially from `baseDelayMs` (1 s by default), doubling per retry up to `maxDelayMs`,
 * with ±20 % jitter so that deliveries failing together (an endpoint going down) do not come back in one
 * wave. ±20 % (rather than "full jitter", uniform over [0, d]) keeps each gap longer than the one before,
 * which users read in the attempt log as backoff. A `Retry-After` from the target wins when it asks for
 * more time than the backoff would give (the more conservative of the two, as EventBridge does).
 */
import type { TargetRecord } from '../store/store.js';
import type { DeliveryFailure } from './target-result.js';

export const DEFAULT_MAXIMUM_RETRY_ATTEMPTS = 185;
export const DEFAULT_MAXIMUM_EVENT_AGE_SECONDS = 86_400;
const JITTER = 0.2;

export interface BackoffSettings {
  baseDelayMs: number;
  maxDelayMs: number;
  /** Uniform in [0, 1); tests may fix it. */
  random?: () => number;
}

export type ExhaustedRetryCondition = 'MaximumRetryAttempts' | 'MaximumEventAgeInSeconds';

export type RetryDecision =
  | { retry: true; retryAt: number }
  /** `exhausted` is set when a RetryPolicy limit ended it; absent for a failure that is not retryable. */
  | { retry: false; exhausted?: ExhaustedRetryCondition };

/** The delay before retry number `retry` (1 for the first retry). */
export function backoffDelay(retry: number, settings: BackoffSettings): number {
  const exponential = settings.baseDelayMs * 2 ** Math.min(retry - 1, 40);
  const capped = Math.min(settings.maxDelayMs, exponential);
  const random = settings.random ?? Math.random;
  return Math.max(1, Math.round(capped * (1 - JITTER + 2 * JITTER * random())));
}

/** The event's age limit of a target, in ms. */
export function maximumEventAgeMs(target: TargetRecord | undefined): number {
  return (target?.retryPolicy?.maximumEventAgeInSeconds ?? DEFAULT_MAXIMUM_EVENT_AGE_SECONDS) * 1000;
}

/**
 * After attempt number `attempt` (1 for the first) failed with `failure` at `now`, for an event accepted
 * at `ingestedAt`.
 */
export function decideRetry(
  failure: DeliveryFailure,
  attempt: number,
  target: TargetRecord | undefined,
  ingestedAt: number,
  now: number,
  settings: BackoffSettings,
): RetryDecision {
  if (!failure.retryable) return { retry: false };
  const maxRetries = target?.retryPolicy?.maximumRetryAttempts ?? DEFAULT_MAXIMUM_RETRY_ATTEMPTS;
  // `attempt - 1` retries have been made so far.
  if (attempt - 1 >= maxRetries) return { retry: false, exhausted: 'MaximumRetryAttempts' };
  const delay = Math.max(backoffDelay(attempt, settings), failure.retryAfterMs ?? 0);
  const retryAt = now + delay;
  if (retryAt - ingestedAt > maximumEventAgeMs(target)) {
    return { retry: false, exhausted: 'MaximumEventAgeInSeconds' };
  }
  return { retry: true, retryAt };
}
