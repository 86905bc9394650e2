/**
 * Bounded growth: a background pass that deletes events older than the retention whose deliveries have
 * all ended, with their deliveries and attempts (store.pruneEvents, which never takes an event with a
 * delivery pending or in flight). In batches, so one pass never holds the store for long; every node of
 * a cluster runs it, and concurrent passes only delete the same rows once.
 */
import { toError } from '../errors.js';
import type { Store } from '../store/store.js';

const BATCH = 1000;
/** At most this many batches per pass: a large backlog is worked off over several passes. */
const MAX_BATCHES_PER_PASS = 100;

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

  const pass = async (): Promise<number> => {
    const before = now() - options.retentionMs;
    let deleted = 0;
    for (let i = 0; i < MAX_BATCHES_PER_PASS && !stopped; i++) {
      const count = await options.store.pruneEvents(before, BATCH);
      deleted += count;
      if (count < BATCH) break;
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
