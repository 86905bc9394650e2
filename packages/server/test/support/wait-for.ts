/**
 * Polls a condition that changes because of something outside the test's process (another process
 * wrote to the shared data dir) and that no event announces. Not a timing assertion: the deadline is
 * only there so a condition that never comes true fails the test with its last value.
 */
import { setTimeout as delay } from 'node:timers/promises';

export async function waitFor<T>(
  probe: () => Promise<T>,
  isDone: (value: T) => boolean,
  options: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  for (;;) {
    const value = await probe();
    if (isDone(value)) return value;
    if (Date.now() > deadline) {
      throw new Error(
        `gave up waiting for ${options.what ?? 'the condition'}; last value: ${JSON.stringify(value)}`,
      );
    }
    await delay(options.intervalMs ?? 50);
  }
}
