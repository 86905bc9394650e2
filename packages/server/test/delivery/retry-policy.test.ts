/** The retry decision after a failed attempt: backoff growth, jitter, Retry-After, and both limits. */
import { describe, expect, it } from 'vitest';
import { backoffDelay, decideRetry } from '../../src/delivery/retry-policy.js';
import { DeliveryFailure } from '../../src/delivery/target-result.js';
import type { TargetRecord } from '../../src/store/store.js';

const settings = (random: number) => ({ baseDelayMs: 1000, maxDelayMs: 60_000, random: () => random });
const retryable = (retryAfterMs?: number) =>
  new DeliveryFailure('HTTP 503', {
    code: 'ERROR_FROM_TARGET',
    retryable: true,
    ...(retryAfterMs !== undefined && { retryAfterMs }),
  });
const target = (retryPolicy?: TargetRecord['retryPolicy']): TargetRecord => ({
  busName: 'default',
  ruleName: 'r',
  id: 't',
  arn: 'arn:aws:events:us-east-1:000000000000:api-destination/d/1',
  ...(retryPolicy !== undefined && { retryPolicy }),
});

describe('backoffDelay', () => {
  it('starts at the base delay and doubles per retry up to the maximum', () => {
    const middle = settings(0.5); // no jitter at the middle of the range
    expect([1, 2, 3, 4, 5, 6, 7].map((retry) => backoffDelay(retry, middle))).toStrictEqual([
      1000, 2000, 4000, 8000, 16_000, 32_000, 60_000,
    ]);
    expect(backoffDelay(185, middle)).toBe(60_000);
  });

  it('jitters by at most 20 % either way', () => {
    expect(backoffDelay(1, settings(0))).toBe(800);
    expect(backoffDelay(1, settings(0.999999))).toBe(1200);
    expect(backoffDelay(3, settings(0))).toBe(3200);
  });
});

describe('decideRetry', () => {
  const now = 1_000_000;

  it('retries a retryable failure after the backoff', () => {
    expect(decideRetry(retryable(), 1, target(), now, now, settings(0.5))).toStrictEqual({
      retry: true,
      retryAt: now + 1000,
    });
    expect(decideRetry(retryable(), 3, target(), now, now, settings(0.5))).toStrictEqual({
      retry: true,
      retryAt: now + 4000,
    });
  });

  it('waits as long as Retry-After asks when that is longer than the backoff', () => {
    expect(decideRetry(retryable(30_000), 1, target(), now, now, settings(0.5))).toMatchObject({
      retryAt: now + 30_000,
    });
    expect(decideRetry(retryable(10), 1, target(), now, now, settings(0.5))).toMatchObject({
      retryAt: now + 1000,
    });
  });

  it('ends a failure that is not retryable at once, without naming a limit', () => {
    const final = new DeliveryFailure('HTTP 400', { code: 'ERROR_FROM_TARGET', retryable: false });
    expect(decideRetry(final, 1, target(), now, now, settings(0.5))).toStrictEqual({ retry: false });
  });

  it('stops after MaximumRetryAttempts retries', () => {
    const policy = target({ maximumRetryAttempts: 2 });
    expect(decideRetry(retryable(), 2, policy, now, now, settings(0.5))).toMatchObject({ retry: true });
    expect(decideRetry(retryable(), 3, policy, now, now, settings(0.5))).toStrictEqual({
      retry: false,
      exhausted: 'MaximumRetryAttempts',
    });
    expect(
      decideRetry(retryable(), 1, target({ maximumRetryAttempts: 0 }), now, now, settings(0.5)),
    ).toStrictEqual({ retry: false, exhausted: 'MaximumRetryAttempts' });
  });

  it('stops when the next attempt would come after MaximumEventAgeInSeconds', () => {
    const policy = target({ maximumEventAgeInSeconds: 60 });
    const ingestedAt = now - 59_500;
    expect(decideRetry(retryable(), 1, policy, ingestedAt, now, settings(0.5))).toStrictEqual({
      retry: false,
      exhausted: 'MaximumEventAgeInSeconds',
    });
    expect(decideRetry(retryable(), 1, policy, now - 50_000, now, settings(0.5))).toMatchObject({
      retry: true,
    });
  });

  it('defaults to 185 retries within 24 hours', () => {
    expect(decideRetry(retryable(), 185, target(), now, now, settings(0.5))).toMatchObject({ retry: true });
    expect(decideRetry(retryable(), 186, target(), now, now, settings(0.5))).toMatchObject({
      exhausted: 'MaximumRetryAttempts',
    });
  });
});
