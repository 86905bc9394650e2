/**
 * The endpoint of the delivery benchmarks: an HTTP server on 127.0.0.1 answering 200 at once, recording
 * when each event (by its `detail.n`) first arrived and how many came again.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { now } from './report.js';

export interface Endpoint {
  url: string;
  /** Arrival time (now()) per sequence number; repeated arrivals counted in `duplicates`. */
  arrivals: Map<number, number>;
  duplicates: number;
  onArrival: (() => void) | undefined;
  close(): Promise<void>;
}

export async function startEndpoint(): Promise<Endpoint> {
  const endpoint: Endpoint = {
    url: '',
    arrivals: new Map(),
    duplicates: 0,
    onArrival: undefined,
    close: async () => {},
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const at = now();
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { detail: { n: number } };
      if (endpoint.arrivals.has(event.detail.n)) endpoint.duplicates++;
      else endpoint.arrivals.set(event.detail.n, at);
      res.writeHead(200).end('ok');
      endpoint.onArrival?.();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
  endpoint.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return endpoint;
}

export async function waitForArrivals(endpoint: Endpoint, count: number, timeoutMs: number): Promise<void> {
  if (endpoint.arrivals.size >= count) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, timeoutMs);
    function done(): void {
      clearTimeout(timer);
      endpoint.onArrival = undefined;
      resolve();
    }
    endpoint.onArrival = () => {
      if (endpoint.arrivals.size >= count) done();
    };
  });
}
