/**
 * `npm run bench:delivery`: end-to-end latency from PutEvents to an API destination, and delivery
 * throughput, with `busway serve` as a child process (started from source, an access key set so every
 * signature is verified, SQLite `synchronous=full`) and, in this process, the load generator and a fast
 * HTTP endpoint on 127.0.0.1 (answers 200 at once) behind an API_KEY connection.
 *
 * - latency at R events/s (open loop, one event per PutEvents call, calls scheduled evenly whatever the
 *   answers do): each event carries its sequence number; latency is from the call's scheduled send time
 *   to the moment the endpoint has the whole request. p50/p90/p99/max over the measured window (a
 *   warm-up second first). Rates: BUSWAY_BENCH_RATES (default `200,2000`).
 * - throughput: BUSWAY_BENCH_BACKLOG events (default 20,000) put as fast as 8 callers can (batches of
 *   10), delivered while they arrive; deliveries/s from the first to the last request at the endpoint.
 *
 * Every event put must arrive (duplicates are counted); a run fails only on missing events.
 * Knobs: BUSWAY_BENCH_SECONDS (10 per rate), BUSWAY_BENCH_RATES, BUSWAY_BENCH_BACKLOG,
 * BUSWAY_BENCH_CONCURRENCY (the server's --delivery-concurrency, default 64).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import {
  CreateApiDestinationCommand,
  CreateConnectionCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { startEndpoint, waitForArrivals } from './endpoint.js';
import { envInt, formatInt, now, printHeader } from './report.js';
import {
  BENCH_CREDENTIALS,
  describeSources,
  formatMs,
  keepAliveAgent,
  putEventsProblem,
  quantile,
  REGION,
  send,
  signPutEvents,
  startBusway,
  type SignedRequest,
} from './server-harness.js';

const SECONDS = envInt('BUSWAY_BENCH_SECONDS', 10);
const RATES = (process.env['BUSWAY_BENCH_RATES'] ?? '200,2000').split(',').map(Number);
const BACKLOG = envInt('BUSWAY_BENCH_BACKLOG', 20_000);
const CONCURRENCY = envInt('BUSWAY_BENCH_CONCURRENCY', 64);

function body(numbers: readonly number[]): string {
  return JSON.stringify({
    Entries: numbers.map((n) => ({ Source: 'bench', DetailType: 'Tick', Detail: JSON.stringify({ n }) })),
  });
}

async function main(): Promise<void> {
  printHeader('Busway delivery: PutEvents -> API destination', [
    `server: ${describeSources()}`,
    `rates ${RATES.join(', ')} events/s for ${SECONDS} s each (1 event per call, open loop, 1 s warm-up); backlog ${formatInt(BACKLOG)} events`,
    `--delivery-concurrency ${CONCURRENCY}, SQLite synchronous=full, endpoint on 127.0.0.1 answering 200 at once`,
  ]);
  const dataDir = mkdtempSync(join(os.tmpdir(), 'busway-bench-delivery-'));
  const endpoint = await startEndpoint();
  const server = await startBusway({
    dataDir,
    credentials: BENCH_CREDENTIALS,
    flags: ['--delivery-concurrency', String(CONCURRENCY), '--log-level', 'warn'],
  });
  const client = new EventBridgeClient({
    endpoint: server.url.href,
    region: REGION,
    credentials: BENCH_CREDENTIALS,
  });
  let failed = false;
  try {
    const connection = await client.send(
      new CreateConnectionCommand({
        Name: 'bench',
        AuthorizationType: 'API_KEY',
        AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: 'x-api-key', ApiKeyValue: 'bench' } },
      }),
    );
    const destination = await client.send(
      new CreateApiDestinationCommand({
        Name: 'bench',
        ConnectionArn: connection.ConnectionArn!,
        InvocationEndpoint: endpoint.url,
        HttpMethod: 'POST',
        // Far above the rates measured: this measures the engine, not the limiter.
        InvocationRateLimitPerSecond: 100_000,
      }),
    );
    await client.send(new PutRuleCommand({ Name: 'all', EventPattern: '{"source":["bench"]}' }));
    await client.send(
      new PutTargetsCommand({ Rule: 'all', Targets: [{ Id: 'http', Arn: destination.ApiDestinationArn! }] }),
    );

    let sequence = 0;
    console.log('rate (events/s) | events | p50 ms | p90 ms | p99 ms | max ms | missing | duplicates');
    for (const rate of RATES) {
      const warmup = rate;
      const total = warmup + rate * SECONDS;
      const first = sequence;
      const requests: SignedRequest[] = [];
      for (let i = 0; i < total; i++)
        requests.push(await signPutEvents(server.url, body([sequence + i]), BENCH_CREDENTIALS));
      sequence += total;
      const scheduledAt = new Float64Array(total);
      const agent = keepAliveAgent(64);
      const start = now() + 50;
      const interval = 1000 / rate;
      let sent = 0;
      let problems = 0;
      await new Promise<void>((resolve) => {
        let answered = 0;
        const tick = (): void => {
          const t = now();
          while (sent < total && start + sent * interval <= t) {
            const index = sent++;
            scheduledAt[index] = start + index * interval;
            send(agent, server.url, requests[index]!).then(
              (answer) => {
                if (putEventsProblem(answer, 1) !== undefined) problems++;
                if (++answered === total) resolve();
              },
              () => {
                problems++;
                if (++answered === total) resolve();
              },
            );
          }
          if (sent < total) setTimeout(tick, 1);
        };
        setTimeout(tick, 50);
      });
      agent.destroy();
      await waitForArrivals(endpoint, sequence, 60_000);
      const latencies: number[] = [];
      let missing = 0;
      for (let i = warmup; i < total; i++) {
        const arrived = endpoint.arrivals.get(first + i);
        if (arrived === undefined) missing++;
        else latencies.push(arrived - scheduledAt[i]!);
      }
      const sorted = Float64Array.from(latencies).sort();
      console.log(
        `${rate} | ${formatInt(total - warmup)} | ${formatMs(quantile(sorted, 0.5))} | ${formatMs(quantile(sorted, 0.9))} | ` +
          `${formatMs(quantile(sorted, 0.99))} | ${formatMs(quantile(sorted, 1))} | ${missing} | ${endpoint.duplicates}` +
          (problems > 0 ? ` | ${problems} PutEvents calls failed` : ''),
      );
      if (missing > 0 || problems > 0) failed = true;
    }

    // Throughput: a backlog put as fast as possible, delivered while it arrives.
    const first = sequence;
    const bodies: string[] = [];
    for (let i = 0; i < BACKLOG; i += 10)
      bodies.push(body(Array.from({ length: Math.min(10, BACKLOG - i) }, (_, k) => first + i + k)));
    sequence += BACKLOG;
    const signed = await Promise.all(bodies.map((b) => signPutEvents(server.url, b, BENCH_CREDENTIALS)));
    const agent = keepAliveAgent(8);
    const putStart = now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < signed.length) {
          const request = signed[next++]!;
          const answer = await send(agent, server.url, request);
          if (answer.status !== 200) failed = true;
        }
      }),
    );
    const putEnd = now();
    agent.destroy();
    await waitForArrivals(endpoint, sequence, 120_000);
    let firstArrival = Infinity;
    let lastArrival = 0;
    let arrived = 0;
    for (let n = first; n < sequence; n++) {
      const at = endpoint.arrivals.get(n);
      if (at === undefined) continue;
      arrived++;
      firstArrival = Math.min(firstArrival, at);
      lastArrival = Math.max(lastArrival, at);
    }
    const seconds = (lastArrival - firstArrival) / 1000;
    console.log();
    console.log(
      `throughput: ${formatInt(BACKLOG)} events put in ${((putEnd - putStart) / 1000).toFixed(1)} s ` +
        `(${formatInt(BACKLOG / ((putEnd - putStart) / 1000))} events/s), delivered ${formatInt(arrived)} in ` +
        `${seconds.toFixed(1)} s: ${formatInt(arrived / seconds)} deliveries/s; last delivery ` +
        `${((lastArrival - putEnd) / 1000).toFixed(1)} s after the last put; ${BACKLOG - arrived} missing, ` +
        `${endpoint.duplicates} duplicates in the whole run`,
    );
    if (arrived < BACKLOG) failed = true;
  } finally {
    client.destroy();
    await server.stop();
    await endpoint.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  if (failed) {
    console.error('FAILED: events missing at the endpoint or PutEvents calls failed');
    process.exitCode = 1;
  }
}

await main();
