/**
 * `npm run bench:postgres`: ingest and end-to-end latency of `busway serve` (child processes from source,
 * an access key set so every signature is verified) on SQLite (one node, synchronous=full) and on
 * PostgreSQL with one and with two nodes sharing one schema, on the same machine. Every event matches one
 * rule whose target is an API destination on a fast local endpoint, so each scenario both ingests and
 * delivers.
 *
 * - ingest: BUSWAY_BENCH_EVENTS events (default 20,000) in PutEvents calls of 10 entries, 16 callers
 *   spread evenly over the nodes; events/s acknowledged, then deliveries/s until the last arrived.
 * - latency: BUSWAY_BENCH_RATE events/s (default 500) for BUSWAY_BENCH_SECONDS (default 5), one event
 *   per call, calls alternating between the nodes, open loop; from a call's scheduled send time to the
 *   endpoint having the request; p50/p90/p99/max after a warm-up second.
 *
 * PostgreSQL: BUSWAY_BENCH_DATABASE_URL, else BUSWAY_TEST_DATABASE_URL, else
 * postgres://postgres@127.0.0.1:5432/test; each scenario gets a fresh schema, dropped afterwards.
 * A run fails only when events are missing at the endpoint.
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
import pg from 'pg';
import { startEndpoint, waitForArrivals, type Endpoint } from './endpoint.js';
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
  type ChildServer,
  type SignedRequest,
} from './server-harness.js';

const EVENTS = envInt('BUSWAY_BENCH_EVENTS', 20_000);
const RATE = envInt('BUSWAY_BENCH_RATE', 500);
const SECONDS = envInt('BUSWAY_BENCH_SECONDS', 5);
const CALLERS = 16;
const DATABASE_URL =
  process.env['BUSWAY_BENCH_DATABASE_URL'] ??
  process.env['BUSWAY_TEST_DATABASE_URL'] ??
  'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = 'busway_bench';

interface Scenario {
  name: string;
  nodes: number;
  postgres: boolean;
}

const SCENARIOS: Scenario[] = [
  { name: 'SQLite, 1 node', nodes: 1, postgres: false },
  { name: 'PostgreSQL, 1 node', nodes: 1, postgres: true },
  { name: 'PostgreSQL, 2 nodes', nodes: 2, postgres: true },
];

function body(numbers: readonly number[]): string {
  return JSON.stringify({
    Entries: numbers.map((n) => ({ Source: 'bench', DetailType: 'Tick', Detail: JSON.stringify({ n }) })),
  });
}

async function routeToEndpoint(server: ChildServer, endpoint: Endpoint): Promise<void> {
  const client = new EventBridgeClient({
    endpoint: server.url.href,
    region: REGION,
    credentials: BENCH_CREDENTIALS,
  });
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
        // Far above the rates measured: this measures the store and the engine, not the limiter.
        InvocationRateLimitPerSecond: 100_000,
      }),
    );
    await client.send(new PutRuleCommand({ Name: 'all', EventPattern: '{"source":["bench"]}' }));
    await client.send(
      new PutTargetsCommand({ Rule: 'all', Targets: [{ Id: 'http', Arn: destination.ApiDestinationArn! }] }),
    );
  } finally {
    client.destroy();
  }
}

interface Result {
  ingestPerSecond: number;
  deliveredPerSecond: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  missing: number;
  duplicates: number;
}

async function runScenario(scenario: Scenario, admin: pg.Client | undefined): Promise<Result> {
  const dataDir = mkdtempSync(join(os.tmpdir(), 'busway-bench-pg-'));
  if (scenario.postgres) await admin!.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  const flags = [
    '--delivery-concurrency',
    '64',
    '--log-level',
    'warn',
    ...(scenario.postgres ? ['--database-url', DATABASE_URL, '--database-schema', SCHEMA] : []),
  ];
  const endpoint = await startEndpoint();
  // One data dir for every node: they share the key that seals connection secrets.
  const nodes = await Promise.all(
    Array.from({ length: scenario.nodes }, () =>
      startBusway({ dataDir, credentials: BENCH_CREDENTIALS, flags }),
    ),
  );
  try {
    await routeToEndpoint(nodes[0]!, endpoint);
    // The other nodes route with the rule once their config sync saw it: probe each until one arrives.
    let sequence = 0;
    for (const node of nodes) {
      const agent = keepAliveAgent(1);
      for (;;) {
        const n = sequence++;
        await send(agent, node.url, await signPutEvents(node.url, body([n]), BENCH_CREDENTIALS));
        await waitForArrivals(endpoint, endpoint.arrivals.size + 1, 200);
        if (endpoint.arrivals.has(n)) break;
      }
      agent.destroy();
    }

    // Ingest: batches of 10 from CALLERS callers, each bound to one node.
    const first = sequence;
    const batches: Array<{ node: ChildServer; request: SignedRequest }> = [];
    for (let i = 0, b = 0; i < EVENTS; i += 10, b++) {
      const node = nodes[b % nodes.length]!;
      const numbers = Array.from({ length: Math.min(10, EVENTS - i) }, (_, k) => first + i + k);
      batches.push({ node, request: await signPutEvents(node.url, body(numbers), BENCH_CREDENTIALS) });
    }
    sequence += EVENTS;
    const agents = nodes.map(() => keepAliveAgent(CALLERS));
    let next = 0;
    let problems = 0;
    const putStart = now();
    await Promise.all(
      Array.from({ length: CALLERS }, async () => {
        while (next < batches.length) {
          const batch = batches[next++]!;
          const answer = await send(agents[nodes.indexOf(batch.node)]!, batch.node.url, batch.request);
          if (putEventsProblem(answer, 10) !== undefined) problems++;
        }
      }),
    );
    const putEnd = now();
    await waitForArrivals(endpoint, sequence, 120_000);
    let lastArrival = 0;
    let firstArrival = Infinity;
    for (let n = first; n < sequence; n++) {
      const at = endpoint.arrivals.get(n);
      if (at === undefined) continue;
      firstArrival = Math.min(firstArrival, at);
      lastArrival = Math.max(lastArrival, at);
    }

    // Latency: open loop at RATE, one event per call, calls alternating between the nodes.
    const warmup = RATE;
    const total = warmup + RATE * SECONDS;
    const latencyFirst = sequence;
    const requests: Array<{ node: ChildServer; request: SignedRequest }> = [];
    for (let i = 0; i < total; i++) {
      const node = nodes[i % nodes.length]!;
      requests.push({
        node,
        request: await signPutEvents(node.url, body([latencyFirst + i]), BENCH_CREDENTIALS),
      });
    }
    sequence += total;
    const scheduledAt = new Float64Array(total);
    const start = now() + 50;
    const interval = 1000 / RATE;
    await new Promise<void>((resolve) => {
      let sent = 0;
      let answered = 0;
      const tick = (): void => {
        const t = now();
        while (sent < total && start + sent * interval <= t) {
          const index = sent++;
          scheduledAt[index] = start + index * interval;
          const { node, request } = requests[index]!;
          const done = (ok: boolean): void => {
            if (!ok) problems++;
            if (++answered === total) resolve();
          };
          send(agents[nodes.indexOf(node)]!, node.url, request).then(
            (answer) => done(putEventsProblem(answer, 1) === undefined),
            () => done(false),
          );
        }
        if (sent < total) setTimeout(tick, 1);
      };
      setTimeout(tick, 50);
    });
    for (const agent of agents) agent.destroy();
    await waitForArrivals(endpoint, sequence, 60_000);
    const latencies: number[] = [];
    let missing = 0;
    for (let i = warmup; i < total; i++) {
      const arrived = endpoint.arrivals.get(latencyFirst + i);
      if (arrived === undefined) missing++;
      else latencies.push(arrived - scheduledAt[i]!);
    }
    for (let n = first; n < latencyFirst; n++) if (!endpoint.arrivals.has(n)) missing++;
    const sorted = Float64Array.from(latencies).sort();
    if (problems > 0) console.error(`${scenario.name}: ${problems} PutEvents calls failed`);
    return {
      ingestPerSecond: EVENTS / ((putEnd - putStart) / 1000),
      deliveredPerSecond: EVENTS / ((lastArrival - firstArrival) / 1000),
      p50: quantile(sorted, 0.5),
      p90: quantile(sorted, 0.9),
      p99: quantile(sorted, 0.99),
      max: quantile(sorted, 1),
      missing,
      duplicates: endpoint.duplicates,
    };
  } finally {
    await Promise.all(nodes.map((node) => node.stop()));
    await endpoint.close();
    rmSync(dataDir, { recursive: true, force: true });
    if (scenario.postgres) await admin!.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  }
}

async function main(): Promise<void> {
  const admin = new pg.Client({ connectionString: DATABASE_URL, application_name: 'busway-bench' });
  await admin.connect();
  const version = (await admin.query<{ server_version: string }>('SHOW server_version')).rows[0]!
    .server_version;
  const settings = await admin.query<{ name: string; setting: string }>(
    `SELECT name, setting FROM pg_settings WHERE name IN ('synchronous_commit', 'fsync', 'shared_buffers', 'max_connections') ORDER BY name`,
  );
  printHeader('Busway on PostgreSQL: ingest and PutEvents -> API destination latency, 1 and 2 nodes', [
    `server: ${describeSources()}`,
    `PostgreSQL ${version} at ${new URL(DATABASE_URL).host} (${settings.rows.map((r) => `${r.name}=${r.setting}`).join(', ')})`,
    `ingest: ${formatInt(EVENTS)} events, calls of 10, ${CALLERS} callers; latency: ${RATE} events/s for ${SECONDS} s (1 event per call, open loop, 1 s warm-up)`,
    `--delivery-concurrency 64 per node; SQLite synchronous=full; endpoint on 127.0.0.1 answering 200 at once`,
  ]);
  console.log(
    'store | ingest events/s | deliveries/s | p50 ms | p90 ms | p99 ms | max ms | missing | duplicates',
  );
  let failed = false;
  try {
    for (const scenario of SCENARIOS) {
      const r = await runScenario(scenario, admin);
      console.log(
        `${scenario.name} | ${formatInt(r.ingestPerSecond)} | ${formatInt(r.deliveredPerSecond)} | ${formatMs(r.p50)} | ` +
          `${formatMs(r.p90)} | ${formatMs(r.p99)} | ${formatMs(r.max)} | ${r.missing} | ${r.duplicates}`,
      );
      if (r.missing > 0) failed = true;
    }
  } finally {
    await admin.end();
  }
  if (failed) {
    console.error('FAILED: events missing at the endpoint');
    process.exitCode = 1;
  }
}

await main();
