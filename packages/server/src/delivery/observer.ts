/**
 * What the delivery engine reports as it works, for metrics (/metrics), the live tail and logs. Every
 * member is optional and called synchronously after the store has recorded the fact it reports, so an
 * observer never sees something that a crash could still undo. Observers must not throw or block.
 */
import type { AttemptRecord, DeliveryRecord } from '../store/store.js';

/** How one attempt ended for its delivery. */
export type AttemptDisposition =
  /** The target accepted it. */
  | 'delivered'
  /** It failed and will be tried again at `retryAt`. */
  | 'retry'
  /** It failed for good and went to the target's dead-letter queue. */
  | 'dead-lettered'
  /** It failed for good and is kept as failed (no dead-letter queue, or sending to it failed). */
  | 'failed';

export interface AttemptReport {
  delivery: DeliveryRecord;
  /** The target's ARN (undefined when the target was removed before the attempt). */
  targetArn: string | undefined;
  attempt: AttemptRecord;
  disposition: AttemptDisposition;
  /** When the event was accepted (epoch ms): latency metrics count from here. */
  ingestedAt: number;
  /** For `retry`: when the next attempt is due (epoch ms). */
  retryAt?: number;
  /** For `dead-lettered` and `failed`: which limit ended the retries, when one did. */
  exhaustedRetryCondition?: 'MaximumRetryAttempts' | 'MaximumEventAgeInSeconds';
  /** For `failed` with a dead-letter queue configured: why sending to it failed. */
  deadLetterError?: string;
}

export interface DeliveryObserver {
  /** An attempt was recorded (every attempt, first or retry). */
  onAttempt?(report: AttemptReport): void;
}
