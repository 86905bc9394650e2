/**
 * A queue service over a real SQLite store in memory, with a clock the test moves by hand (so no test
 * sleeps for a visibility timeout, a delay or the deduplication window) and a way to wait until a long
 * poll is asleep. close() ends the service, then the store; afterEach calls it.
 */
import { createQueueService } from '../../src/queues/queue-service.js';
import type { QueueService } from '../../src/queues/types.js';
import { createSqliteStore, type SqliteStore } from '../../src/store/sqlite/sqlite-store.js';

export const REGION = 'eu-west-1';
export const ACCOUNT = '123456789012';
/** An arbitrary epoch-ms origin for the test clock. */
export const T0 = Date.UTC(2026, 0, 2, 3, 4, 5, 0);

export interface QueueFixture {
  store: SqliteStore;
  service: QueueService;
  /** The service's clock: set `clock.now` to move time. */
  clock: { now: number };
  /** Resolves when the next long poll on `queueName` goes to sleep. */
  nextWait(queueName: string): Promise<void>;
  close(): Promise<void>;
}

export function createQueueFixture(options: { realClock?: boolean } = {}): QueueFixture {
  const store = createSqliteStore({ path: ':memory:' });
  const clock = { now: T0 };
  const waits: Array<{ queueName: string; resolve: () => void }> = [];
  const service = createQueueService(store, {
    region: REGION,
    accountId: ACCOUNT,
    ...(options.realClock === true ? {} : { now: () => clock.now }),
    onLongPollWait: (queueName) => {
      for (const wait of waits.filter((w) => w.queueName === queueName)) {
        waits.splice(waits.indexOf(wait), 1);
        wait.resolve();
      }
    },
  });
  return {
    store,
    service,
    clock,
    nextWait: (queueName) => new Promise<void>((resolve) => waits.push({ queueName, resolve })),
    async close() {
      service.close();
      await store.close();
    },
  };
}

export function queueArnOf(name: string): string {
  return `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;
}

/** What a call rejected with, as `{ sqsCode, message }`. */
export async function sqsErrorOf(promise: Promise<unknown>): Promise<{ sqsCode: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    const { sqsCode, message } = error as { sqsCode: string; message: string };
    return { sqsCode, message };
  }
  throw new Error('expected the call to fail');
}
