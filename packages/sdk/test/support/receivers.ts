/**
 * Real HTTP receivers for the SDK's tests: node:http servers on 127.0.0.1 (port 0) serving a request
 * listener (an EventRouter's), and inboxes that tests await as items arrive (no polling, no sleeping).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Receiver {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  close(): Promise<void>;
}

export async function startReceiver(
  listener: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<Receiver> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface Inbox<T> {
  readonly items: T[];
  push(item: T): void;
  /** Resolves once `count` items have arrived in total (rejects after `timeoutMs`, with what came). */
  waitFor(count: number, timeoutMs?: number): Promise<T[]>;
}

export function createInbox<T>(): Inbox<T> {
  const items: T[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  return {
    items,
    push(item) {
      items.push(item);
      for (const waiter of [...waiters]) {
        if (items.length >= waiter.count) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
    },
    async waitFor(count, timeoutMs = 10_000) {
      if (items.length < count) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          new Promise<void>((resolve) => waiters.push({ count, resolve })),
          new Promise<never>((_, reject) => {
            timer = setTimeout(
              () =>
                reject(new Error(`expected ${count} items, got ${items.length}: ${JSON.stringify(items)}`)),
              timeoutMs,
            );
          }),
        ]).finally(() => clearTimeout(timer));
      }
      return items.slice(0, count);
    },
  };
}
