/**
 * Bounded growth: a background pass that deletes events older than the retention whose deliveries have
 * all ended, with their deliveries and attempts (store.pruneEvents, which never takes an event with a
 * delivery pending or in flight, nor one an archive holds). Window by window in acceptance order, so one
 * statement never holds the store for long; the position is kept between passes, so events kept back
 * (still being delivered, archived) are stepped over rather than read again every minute, and it goes
 * back to the oldest event once an hour for those whose deliveries or archives have ended since. Every
 * node of a cluster runs it; concurrent passes delete each event once.
 */
import { toError } from '../errors.js';
import type { Store } from '../store/store.js';

const BATCH = 1000;
/** At most this many windows per pass: a large backlog is worked off over several passes. */
const MAX_BATCHES_PER_PASS = 100;
/** Passes between two returns to the oldest event. */
const PASSES_PER_RESCAN = 60;

export interface RetentionOptions {
  store: Store;
  retentionMs: number;
  intervalMs?: number;
  now?: () => number;
  log?: { info(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

export interface RetentionPruner {
  start(): void;
  /** One pass now; resolves with the number of events deleted. */
  runOnce(): Promise<number>;
  stop(): Promise<void>;
}

export function createRetentionPruner(options: RetentionOptions): RetentionPruner {
  const now = options.now ?? Date.now;
  const intervalMs = options.intervalMs ?? 60_000;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let stopped = false;
  let afterSeq = 0;
  let passes = 0;

  const pass = async (): Promise<number> => {
    const before = now() - options.retentionMs;
    if (passes++ % PASSES_PER_RESCAN === 0) afterSeq = 0;
    let deleted = 0;
    for (let i = 0; i < MAX_BATCHES_PER_PASS && !stopped; i++) {
      const window = await options.store.pruneEvents(before, { afterSeq, limit: BATCH });
      deleted += window.deleted;
      // A window that reached recent events is read again next pass: its old events may end by then.
      if (window.done || window.lastSeq === undefined) break;
      afterSeq = window.lastSeq;
    }
    if (deleted > 0) options.log?.info({ deleted, before }, 'pruned events past retention');
    return deleted;
  };
  const runOnce = (): Promise<number> => {
    running ??= pass().finally(() => {
      running = undefined;
    });
    return running;
  };

  return {
    start() {
      if (timer !== undefined || stopped) return;
      const tick = () =>
        void runOnce().catch((error: unknown) => {
          if (!stopped) options.log?.error({ err: toError(error) }, 'pruning events past retention failed');
        });
      timer = setInterval(tick, intervalMs);
      timer.unref();
      tick();
    },
    runOnce,
    async stop() {
      stopped = true;
      if (timer !== undefined) clearInterval(timer);
      await running?.catch(() => 0);
    },
  };
}
