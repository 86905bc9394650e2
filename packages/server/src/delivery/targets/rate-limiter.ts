/**
 * Invocation rate limits per API destination, in this process: each call takes the next free slot of
 * its destination, slots 1000/rate ms apart (a virtual schedule, as in GCRA), so calls are spread evenly
 * and a burst never exceeds the rate. A slot further away than `maxWaitMs` is not taken: the caller
 * hands its delivery back until then and asks again, so a long queue of waiting calls holds no leases.
 *
 * Several nodes (PostgreSQL mode) each enforce the full rate for now; sharing the schedule across nodes
 * belongs with the PostgreSQL store.
 */
export interface RateLimiter {
  /** `waitMs` until this call's slot (0: go now), or the time to come back when it is too far away. */
  reserve(key: string, perSecond: number, maxWaitMs: number): { waitMs: number } | { deferredUntil: number };
}

export function createRateLimiter(now: () => number = Date.now): RateLimiter {
  const nextSlot = new Map<string, number>();
  return {
    reserve(key, perSecond, maxWaitMs) {
      const t = now();
      const slot = Math.max(nextSlot.get(key) ?? t, t);
      const waitMs = slot - t;
      if (waitMs > maxWaitMs) return { deferredUntil: slot };
      nextSlot.set(key, slot + 1000 / Math.max(perSecond, 0.001));
      if (nextSlot.size > 10_000) {
        // Destinations idle for a while have slots in the past: forget them.
        for (const [k, s] of nextSlot) if (s < t) nextSlot.delete(k);
      }
      return { waitMs };
    },
  };
}
