/**
 * The delivery engine: workers that take due deliveries from the store under a lease, turn each into
 * its target's input, invoke the target, record the attempt, and then mark the delivery delivered,
 * schedule its retry, or end it (dead-letter queue, or kept as failed).
 *
 * Work arrives two ways. Ingest calls `wake()` after each stored batch, so an event put on a quiet bus
 * is claimed within the same event-loop turn as its write; and an idle engine sleeps exactly until the
 * store's next due time (a retry, or a lease that will expire), at most `IDLE_POLL_MS`, which also picks
 * up work written by another process. Up to `concurrency` deliveries are in flight at once; each that
 * ends frees a slot and wakes the loop.
 *
 * Leases: a claimed delivery belongs to this engine until `leaseMs` after the claim. Attempts are bounded
 * well below it (API destinations: 5 s), so only a dead or stalled process loses its leases, and another
 * worker takes them over when they expire: at-least-once, never lost. A restarted server does not wait
 * for that: at start the engine gives back, due now, the leases of owners of its own host whose process
 * is gone (owner names are `host/pid/suffix`), so the deliveries a crash left in flight go out with the
 * rest of the work it resumes (replays, sink spools) instead of up to `leaseMs` later.
 *
 * Shutdown: stop claiming, let in-flight attempts finish for up to `drainMs`, then abort the rest and give
 * their deliveries back (pending, due now) without recording the interrupted attempts.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { renderTargetInput, type JsonObject } from '@busway/patterns';
import type { ArnContext } from '../bus/arns.js';
import type { QueueService } from '../queues/types.js';
import type { AttemptRecord, DeliveryRecord, EventRecord, Store, TargetRecord } from '../store/store.js';
import { sendDeadLetter } from './dead-letter.js';
import type { AttemptDisposition, AttemptReport, DeliveryObserver } from './observer.js';
import { decideRetry, maximumEventAgeMs, type BackoffSettings, type RetryDecision } from './retry-policy.js';
import { DeliveryFailure, isDeferral, type InvokeTarget, type TargetOutcome } from './target-result.js';

/** Longest sleep of an idle engine: the pace at which it notices work written by other processes. */
export const IDLE_POLL_MS = 1000;
/** Deliveries claimed per store call. */
const CLAIM_BATCH = 100;

/** Owners of the engines of this process that have not stopped: the owners sharing our pid that are alive. */
const liveOwners = new Set<string>();

/**
 * Whether a lease owner is an engine of this host whose process has ended: its pid names no process, or
 * names this process while no engine of this process has that owner (a predecessor that had our pid,
 * as PID 1 of a restarted container). Owners of other hosts, or named otherwise, are never judged dead.
 */
export function isDeadOwnerOfThisHost(owner: string, host: string = hostname()): boolean {
  const match = /^(.+)\/(\d+)\/[0-9a-f]{8}$/.exec(owner);
  if (match === null || match[1] !== host) return false;
  const pid = Number(match[2]);
  if (pid === process.pid) return !liveOwners.has(owner);
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    // EPERM: the process exists (another user's).
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** A kind of target: which ARNs it serves and how it invokes them. */
export interface TargetKind {
  name: string;
  matches(arn: string): boolean;
  invoke: InvokeTarget;
}

export interface DeliveryEngineOptions {
  store: Store;
  /** The current configuration of a rule's target (the routing table). */
  getTarget(busName: string, ruleName: string, targetId: string): TargetRecord | undefined;
  /** Tried in order; the first that matches a target's ARN invokes it. */
  targetKinds: readonly TargetKind[];
  queues: QueueService;
  ctx: ArnContext;
  concurrency: number;
  leaseMs: number;
  drainMs: number;
  backoff: BackoffSettings;
  observer?: DeliveryObserver;
  log?: {
    warn(obj: object, msg: string): void;
    error(obj: object, msg: string): void;
    debug(obj: object, msg: string): void;
  };
  /** Lease owner name; unique per engine by default. */
  owner?: string;
  now?: () => number;
}

export interface DeliveryEngine {
  readonly owner: string;
  start(): void;
  /** New work may be due: claim now rather than at the next timer. */
  wake(): void;
  /** Drains or releases in-flight deliveries, then resolves. */
  stop(): Promise<void>;
  /** Deliveries being attempted right now. */
  readonly inFlight: number;
}

export function createDeliveryEngine(options: DeliveryEngineOptions): DeliveryEngine {
  const now = options.now ?? Date.now;
  const owner = options.owner ?? `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
  const shutdown = new AbortController();
  const active = new Set<Promise<void>>();
  let woken = false;
  let wakeSleeper: (() => void) | undefined;
  let stopping = false;
  let loop: Promise<void> | undefined;
  liveOwners.add(owner);

  /** Gives back, due now, the leases that engines of this host held when their process died. */
  async function takeOverDeadOwners(): Promise<void> {
    try {
      for (const holder of await options.store.listLeaseOwners()) {
        if (holder === owner || !isDeadOwnerOfThisHost(holder)) continue;
        const released = await options.store.releaseDeliveries(holder, now());
        options.log?.warn(
          { owner: holder, released },
          'delivery engine: took back the in-flight deliveries of a process of this host that ended',
        );
      }
    } catch (error) {
      // Not fatal: those leases still expire and are claimed then.
      options.log?.error({ err: error }, 'delivery engine: looking for leases of ended processes failed');
    }
  }

  function wake(): void {
    woken = true;
    const sleeper = wakeSleeper;
    wakeSleeper = undefined;
    sleeper?.();
  }

  function sleep(ms: number): Promise<void> {
    if (woken || stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        wakeSleeper = undefined;
        resolve();
      }, ms);
      wakeSleeper = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  async function run(): Promise<void> {
    await takeOverDeadOwners();
    while (!stopping) {
      woken = false;
      const free = options.concurrency - active.size;
      let delay = IDLE_POLL_MS;
      try {
        if (free > 0) {
          const limit = Math.min(free, CLAIM_BATCH);
          const claimed = await options.store.claimDueDeliveries(owner, now(), options.leaseMs, limit);
          for (const delivery of claimed) start(delivery);
          if (claimed.length === limit) continue; // there may be more due at once
          const next = await options.store.getNextDeliveryDue();
          if (next !== undefined) delay = Math.max(0, Math.min(IDLE_POLL_MS, next - now()));
        }
      } catch (error) {
        if (stopping) break;
        options.log?.error(
          { err: error },
          'delivery engine: claiming deliveries failed; trying again shortly',
        );
      }
      await sleep(delay);
    }
  }

  function start(delivery: DeliveryRecord): void {
    const running = deliver(delivery)
      .catch((error: unknown) => {
        // Only the store can fail here (recording the attempt); the lease expires and another try follows.
        options.log?.error(
          { err: error, deliveryId: delivery.id },
          'delivery engine: recording an attempt failed',
        );
      })
      .finally(() => {
        active.delete(running);
        wake();
      });
    active.add(running);
  }

  async function deliver(delivery: DeliveryRecord): Promise<void> {
    const startedAt = now();
    const started = performance.now();
    const target = options.getTarget(delivery.busName, delivery.ruleName, delivery.targetId);
    let event: EventRecord | undefined;
    let input: string | undefined;
    let outcome: TargetOutcome | undefined;
    let failure: DeliveryFailure | undefined;
    let expired = false;
    try {
      event = await options.store.getEvent(delivery.eventId);
      if (event === undefined) {
        throw new DeliveryFailure(`Event ${delivery.eventId} is no longer stored.`, {
          code: 'NO_RESOURCE',
          retryable: false,
        });
      }
      if (target === undefined) {
        throw new DeliveryFailure(
          `Target ${delivery.targetId} of rule ${delivery.ruleName} on bus ${delivery.busName} no longer exists.`,
          { code: 'NO_RESOURCE', retryable: false },
        );
      }
      if (startedAt - event.ingestedAt > maximumEventAgeMs(target)) {
        // Deferred by a rate limit (or waiting behind a long backlog) past the event's age limit.
        expired = true;
        throw new DeliveryFailure(
          `The event is older than the target's MaximumEventAgeInSeconds` +
            (delivery.lastError !== undefined ? `; last error: ${delivery.lastError}` : '.'),
          { code: delivery.attempts === 0 ? 'THROTTLING' : 'ERROR_FROM_TARGET', retryable: false },
        );
      }
      const parsed = JSON.parse(event.envelope) as JsonObject;
      const rendered = renderTargetInput(parsed, target, {
        ruleName: delivery.ruleName,
        ruleArn: delivery.ruleArn,
        eventBusName: delivery.busName,
        ingestionTime: new Date(event.ingestedAt).toISOString(),
      });
      if (!rendered.ok)
        throw new DeliveryFailure(rendered.message, { code: 'INVALID_JSON', retryable: false });
      input = rendered.body;
      const kind = options.targetKinds.find((candidate) => candidate.matches(target.arn));
      if (kind === undefined) {
        throw new DeliveryFailure(
          `Busway cannot deliver to ${target.arn}: supported targets are API destinations, queues (arn:aws:sqs:...), event buses and storage sinks (arn:aws:busway:...:sink/NAME).`,
          { code: 'NO_RESOURCE', retryable: false },
        );
      }
      outcome = await kind.invoke({
        delivery,
        target,
        envelope: event.envelope,
        event: parsed,
        input,
        signal: shutdown.signal,
      });
    } catch (error) {
      failure =
        error instanceof DeliveryFailure
          ? error
          : new DeliveryFailure(`Internal error while delivering: ${errorMessage(error)}`, {
              code: 'INTERNAL_ERROR',
              retryable: true,
              cause: error,
            });
    }

    // Interrupted by shutdown: not an attempt of the target's doing; stop() gives the delivery back.
    if (failure !== undefined && shutdown.signal.aborted) return;
    if (outcome !== undefined && isDeferral(outcome)) {
      await options.store.deferDelivery(owner, delivery.id, outcome.deferredUntil, now());
      return;
    }

    const attemptNumber = delivery.attempts + 1;
    const attempt: AttemptRecord = {
      deliveryId: delivery.id,
      attempt: attemptNumber,
      startedAt,
      durationMs: performance.now() - started,
      outcome:
        failure === undefined ? 'success' : failure.retryable ? 'retryable-failure' : 'permanent-failure',
    };
    const statusCode = failure?.statusCode ?? outcome?.statusCode;
    const excerpt = failure?.responseExcerpt ?? outcome?.responseExcerpt;
    if (statusCode !== undefined) attempt.statusCode = statusCode;
    if (excerpt !== undefined) attempt.responseExcerpt = excerpt;
    const ingestedAt = event?.ingestedAt ?? delivery.createdAt;
    const report = (disposition: AttemptDisposition, extra: Partial<AttemptReport> = {}): void => {
      options.observer?.onAttempt?.({
        delivery,
        targetArn: target?.arn,
        attempt,
        disposition,
        ingestedAt,
        ...extra,
      });
    };

    if (failure === undefined) {
      await record(attempt, { status: 'delivered' });
      report('delivered');
      return;
    }
    attempt.error = `${failure.code}: ${failure.message}`;
    const decision: RetryDecision = expired
      ? { retry: false, exhausted: 'MaximumEventAgeInSeconds' }
      : decideRetry(failure, attemptNumber, target, ingestedAt, now(), options.backoff);
    if (decision.retry) {
      await record(attempt, { status: 'pending', retryAt: decision.retryAt, error: attempt.error });
      report('retry', { retryAt: decision.retryAt });
      return;
    }

    const exhausted = decision.exhausted;
    let error = exhausted === undefined ? attempt.error : `${attempt.error} (retries ended: ${exhausted})`;
    const dlqArn = target?.deadLetterConfig?.arn;
    let deadLetterError: string | undefined;
    if (dlqArn !== undefined && target !== undefined) {
      try {
        await sendDeadLetter(options.queues, options.ctx, {
          queueArn: dlqArn,
          body: input ?? event?.envelope ?? '{}',
          ruleArn: delivery.ruleArn,
          targetArn: target.arn,
          errorCode: failure.code,
          errorMessage: failure.message,
          retryAttempts: attemptNumber - 1,
          ...(exhausted !== undefined && { exhausted }),
        });
      } catch (dlqError) {
        deadLetterError = errorMessage(dlqError);
        error = `${error}; the dead-letter queue did not take it: ${deadLetterError}`;
      }
    }
    const status = dlqArn !== undefined && deadLetterError === undefined ? 'dead-lettered' : 'failed';
    await record(attempt, { status, error });
    report(status, {
      ...(exhausted !== undefined && { exhaustedRetryCondition: exhausted }),
      ...(deadLetterError !== undefined && { deadLetterError }),
    });
  }

  async function record(attempt: AttemptRecord, next: Parameters<Store['recordAttempt']>[2]): Promise<void> {
    const result = await options.store.recordAttempt(owner, attempt, next, now());
    if (result === 'lease-lost') {
      options.log?.debug(
        { deliveryId: attempt.deliveryId },
        'delivery engine: lease lost during the attempt; another worker owns the delivery now',
      );
    }
  }

  return {
    owner,
    get inFlight() {
      return active.size;
    },
    start() {
      loop ??= run();
    },
    wake,
    async stop() {
      if (stopping) return;
      stopping = true;
      wake();
      await loop;
      if (active.size > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          Promise.allSettled([...active]),
          new Promise<void>((resolve) => (timer = setTimeout(resolve, options.drainMs))),
        ]);
        clearTimeout(timer);
      }
      shutdown.abort(new Error('The server is shutting down.'));
      await Promise.allSettled([...active]);
      const released = await options.store.releaseDeliveries(owner, now());
      liveOwners.delete(owner);
      if (released > 0)
        options.log?.warn({ released }, 'delivery engine: in-flight deliveries given back for later');
    },
  };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
