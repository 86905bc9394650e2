/**
 * Long polling without poll ticks: a receiver that found its queue empty arms a waiter and sleeps until
 * something can have changed: a message sent or moved in, made visible again, or a FIFO group unblocked
 * (notify), the next known visibility time (a timer), its wait time, its abort signal, or close().
 * In-process only: with several Busway processes on one database, a process learns of another's sends
 * at its next timer; a store `subscribe?` (LISTEN/NOTIFY) would carry notifications across them.
 *
 * Every waiter of a queue wakes on a notify and tries the store again; one of them gets each message
 * and the others sleep again. Simpler than handing messages to waiters, and the store stays the only
 * place that decides who received what.
 */

export interface Waiter {
  /** Resolves on the first notify of its queue (or wakeAll) after `arm`. */
  readonly woken: Promise<void>;
  /** Stops listening (always call it, woken or not). */
  dispose(): void;
}

export interface QueueWaiters {
  /** Starts listening for a queue before looking at it, so that a send in between is not missed. */
  arm(queueName: string): Waiter;
  notify(queueName: string): void;
  /** Wakes every waiter of every queue (close). */
  wakeAll(): void;
}

export function createQueueWaiters(): QueueWaiters {
  const byQueue = new Map<string, Set<() => void>>();
  const remove = (queueName: string, wake: () => void) => {
    const set = byQueue.get(queueName);
    if (set === undefined) return;
    set.delete(wake);
    if (set.size === 0) byQueue.delete(queueName);
  };
  return {
    arm(queueName) {
      let wake!: () => void;
      const woken = new Promise<void>((resolve) => {
        wake = () => {
          remove(queueName, wake);
          resolve();
        };
      });
      let set = byQueue.get(queueName);
      if (set === undefined) byQueue.set(queueName, (set = new Set()));
      set.add(wake);
      return { woken, dispose: () => remove(queueName, wake) };
    },
    notify(queueName) {
      const set = byQueue.get(queueName);
      if (set === undefined) return;
      for (const wake of [...set]) wake();
    },
    wakeAll() {
      for (const set of [...byQueue.values()]) for (const wake of [...set]) wake();
    },
  };
}

/**
 * Sleeps until the waiter wakes, `ms` pass, or `signal` aborts, whichever comes first; leaves no timer
 * or listener behind.
 */
export function sleepUntilWoken(waiter: Waiter, ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal?.aborted === true) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal?.addEventListener('abort', done, { once: true });
    void waiter.woken.then(done);
  });
}
