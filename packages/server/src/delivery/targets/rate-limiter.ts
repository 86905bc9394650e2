/**
 * Invocation rate limits per API destination: each call takes the next free slot of its destination,
 * slots 1000/rate ms apart (a virtual schedule, as in GCRA), so calls are spread evenly and a burst never
 * exceeds the rate. A slot further away than `maxWaitMs` is not taken: the caller hands its delivery back
 * until then and asks again, so a long queue of waiting calls holds no leases.
 *
 * One process keeps the schedule in memory (createRateLimiter). Several nodes over one database share
 * it through the store (createSharedRateLimiter), so the rate holds for the cluster, not per node.
 */
import type { Store } from '../../store/store.js';

export type RateTurn = { waitMs: number } | { deferredUntil: number };

export interface RateLimiter {
  /** `waitMs` until this call's slot (0: go now), or the time to come back when it is too far away. */
  reserve(key: string, perSecond: number, maxWaitMs: number): Promise<RateTurn>;
}

function slotIntervalMs(perSecond: number): number {
  return 1000 / Math.max(perSecond, 0.001);
}

export function createRateLimiter(now: () => number = Date.now): RateLimiter {
  const nextSlot = new Map<string, number>();
  return {
    async reserve(key, perSecond, maxWaitMs) {
      const t = now();
      const slot = Math.max(nextSlot.get(key) ?? t, t);
      const waitMs = slot - t;
      if (waitMs > maxWaitMs) return { deferredUntil: slot };
      nextSlot.set(key, slot + slotIntervalMs(perSecond));
      if (nextSlot.size > 10_000) {
        // Destinations idle for a while have slots in the past: forget them.
        for (const [k, s] of nextSlot) if (s < t) nextSlot.delete(k);
      }
      return { waitMs };
    },
  };
}

/**
 * The schedule kept by the store (one row per destination in PostgreSQL, on the database's clock); the
 * waits it answers are durations, turned into this node's times here.
 */
export function createSharedRateLimiter(
  reserveSlot: NonNullable<Store['reserveRateSlot']>,
  now: () => number = Date.now,
): RateLimiter {
  return {
    async reserve(key, perSecond, maxWaitMs) {
      const turn = await reserveSlot(key, slotIntervalMs(perSecond), maxWaitMs);
      return turn.taken ? { waitMs: turn.waitMs } : { deferredUntil: now() + turn.waitMs };
    },
  };
}
