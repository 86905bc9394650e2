/**
 * A low-code style app that registers itself with the bus on start (connection with an API key, API
 * destination to its receive URL, one rule per handled type) and routes what it receives by
 * detail-type. Restarting it re-applies the same registration.
 *
 *   node --conditions=source --import tsx examples/app-registration.ts
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { createBuswayClient, createEventRouter, type BusEvent } from '@busway/sdk';

export interface CrmApp {
  readonly url: string;
  /** What the handlers did, in order. */
  readonly log: string[];
  /** Resolves when the log has `count` lines. */
  logged(count: number): Promise<string[]>;
  close(): Promise<void>;
}

export async function startCrmApp(options: {
  endpoint: string;
  apiKey: string;
  port?: number;
}): Promise<CrmApp> {
  const log: string[] = [];
  const waiters: Array<{ count: number; resolve: (lines: string[]) => void }> = [];
  const record = (line: string): void => {
    log.push(line);
    for (const waiter of [...waiters]) {
      if (log.length >= waiter.count) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(log.slice());
      }
    }
  };

  const router = createEventRouter({ auth: { value: options.apiKey } })
    .on<{ customerId: string; name: string }>(
      'Customer Created',
      (event: BusEvent<{ customerId: string; name: string }>) => {
        record(`contact created for ${event.detail.name} (${event.detail.customerId})`);
      },
    )
    .on<{ invoiceId: string; amount: number }>('Invoice Paid', (event) => {
      record(`invoice ${event.detail.invoiceId} marked paid: ${event.detail.amount}`);
      return { status: 'booked' };
    });

  const server = createServer(router.listener);
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const busway = createBuswayClient({
    endpoint: options.endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    await busway.registerApp({
      name: 'crm',
      endpoint: `${url}/busway/events`,
      detailTypes: router.detailTypes,
      auth: { value: options.apiKey },
    });
  } finally {
    busway.close();
  }

  return {
    url,
    log,
    logged: (count) =>
      log.length >= count
        ? Promise.resolve(log.slice())
        : new Promise((resolve) => waiters.push({ count, resolve })),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const endpoint = process.env['BUSWAY_ENDPOINT'] ?? 'http://127.0.0.1:4010';
  const app = await startCrmApp({
    endpoint,
    apiKey: process.env['CRM_API_KEY'] ?? 'crm-local-key',
    port: 3000,
  });
  console.log(
    `crm app receiving on ${app.url}; publish "Customer Created" or "Invoice Paid" events to see them routed`,
  );
}
