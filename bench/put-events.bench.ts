/**
 * `npm run bench:put-events`: PutEvents throughput and latency of the Busway server, as a child process
 * started the way the README starts it from source, with an access key so every signature is verified.
 *
 * - Throughput: wrk (a C load generator that costs little CPU) replays a pool of SigV4-signed
 *   10-entry PutEvents requests over 32 keep-alive connections, first against a bare `node:http`
 *   server that only reads and `JSON.parse`s the body (bench/put-events-bare-server.ts), then against
 *   Busway with 200 rules on the bus, once per SQLite synchronous mode (`full`, the default, and
 *   `normal`). events/s = answered requests x 10 / seconds; the ratio to the bare server is printed.
 * - Latency: an open-loop Node generator sends the same signed requests at fixed rates (200 and 500
 *   requests/s of 10 entries by default: below the server's measured capacity, so the figures show
 *   service time rather than a growing queue) over keep-alive agents and records each request's
 *   latency from its scheduled send time: p50/p90/p99/p99.9/max.
 *
 * The rules are the first 200 of bench/eventbridge-events.ts generateScalingRules (5 that can match the
 * traffic, 195 realistic ones that cannot), each with one SQS target, so matched events write delivery
 * rows (no delivery worker exists yet). A run fails (exit 1) only when something is wrong, never on a
 * timing: a request not fully accepted, fewer events stored than answered, or deliveries per event far
 * from what the pattern engine predicts for this traffic.
 *
 * Knobs (env): BUSWAY_BENCH_CONNECTIONS (32), BUSWAY_BENCH_WRK_THREADS (1), BUSWAY_BENCH_SECONDS (20,
 * per measured wrk pass), BUSWAY_BENCH_WARMUP_SECONDS (5), BUSWAY_BENCH_PASSES (2),
 * BUSWAY_BENCH_RULES (200), BUSWAY_BENCH_POOL (100 distinct signed requests), BUSWAY_BENCH_RATES
 * (`200,500` requests/s; one open-loop run each), BUSWAY_BENCH_LATENCY_SECONDS (20), BUSWAY_BENCH_LATENCY_SOCKETS (64),
 * BUSWAY_BENCH_SYNC_MODES (`full,normal`), BUSWAY_BENCH_BARE (1; 0 skips the bare server),
 * BUSWAY_BENCH_CPU_PROF (a folder: the Busway children write V8 CPU profiles there; summarise them
 * with `tsx bench/cpuprofile-top.ts FILE`), BUSWAY_BENCH_NODE_FLAGS (more Node flags for the Busway
 * children, e.g. `--trace-gc`).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { generateEventBridgeEvents, generateScalingRules } from './eventbridge-events.js';
import { envInt, formatInt, formatTable, median, printHeader } from './report.js';
import {
  BENCH_CREDENTIALS,
  describeSources,
  serverNodeFlags,
  createRules,
  expectedMatchesPerEvent,
  formatMiB,
  formatMs,
  keepAliveAgent,
  putEventsBodies,
  putEventsProblem,
  quantile,
  readProcessIo,
  readProcessMemory,
  readStoredCounts,
  runOpenLoop,
  runWrk,
  send,
  SignedPool,
  spawnServer,
  startBusway,
  toPutEventsEntries,
  WRK_INSTALL_HINT,
  wrkVersion,
  writeWrkScript,
  type ChildServer,
  type WrkResult,
} from './server-harness.js';

const ENTRIES_PER_REQUEST = 10;
const CONNECTIONS = envInt('BUSWAY_BENCH_CONNECTIONS', 32);
const THREADS = envInt('BUSWAY_BENCH_WRK_THREADS', 1);
const SECONDS = envInt('BUSWAY_BENCH_SECONDS', 20);
const WARMUP_SECONDS = envInt('BUSWAY_BENCH_WARMUP_SECONDS', 5, 0);
const PASSES = envInt('BUSWAY_BENCH_PASSES', 2);
const RULES = envInt('BUSWAY_BENCH_RULES', 200, 0);
const POOL = envInt('BUSWAY_BENCH_POOL', 100);
const RATES = (process.env['BUSWAY_BENCH_RATES'] ?? '200,500')
  .split(',')
  .map((rate) => Number(rate.trim().replaceAll('_', '')))
  .filter((rate) => Number.isInteger(rate) && rate > 0);
const LATENCY_SECONDS = envInt('BUSWAY_BENCH_LATENCY_SECONDS', 20, 0);
const LATENCY_WARMUP_SECONDS = 3;
const LATENCY_SOCKETS = envInt('BUSWAY_BENCH_LATENCY_SOCKETS', 64);
const RULE_CONCURRENCY = 8;
const BARE = envInt('BUSWAY_BENCH_BARE', 1, 0) > 0;
const CPU_PROF_DIR = process.env['BUSWAY_BENCH_CPU_PROF'];
const SYNC_MODES = (process.env['BUSWAY_BENCH_SYNC_MODES'] ?? 'full,normal')
  .split(',')
  .map((mode) => mode.trim())
  .filter((mode) => mode !== '');
for (const mode of SYNC_MODES) {
  if (mode !== 'full' && mode !== 'normal') throw new Error(`BUSWAY_BENCH_SYNC_MODES: unknown mode ${mode}`);
}
/** Signatures are valid for 5 minutes around their date: every wrk run must end well inside that. */
if (WARMUP_SECONDS > 120 || SECONDS > 120)
  throw new Error('wrk runs longer than 120 s would outlive their signatures');

const wrk = wrkVersion();
if (wrk === undefined) {
  console.error(WRK_INSTALL_HINT);
  process.exit(1);
}

const failures: string[] = [];
const fail = (message: string): void => {
  failures.push(message);
  console.log(`FAILED: ${message}`);
};

const workDir = mkdtempSync(join(os.tmpdir(), 'busway-bench-put-events-'));
const entries = toPutEventsEntries(generateEventBridgeEvents(POOL * ENTRIES_PER_REQUEST));
const bodies = putEventsBodies(entries, ENTRIES_PER_REQUEST);
const bodyBytes = bodies.reduce((sum, body) => sum + Buffer.byteLength(body), 0) / bodies.length;
const rules = generateScalingRules(RULES);
const expectedMatches = expectedMatchesPerEvent(entries, rules);

printHeader('Busway PutEvents throughput and latency (server child process, SigV4-verified)', [
  `wrk:        ${wrk}, ${THREADS} thread(s), ${CONNECTIONS} connections, ${WARMUP_SECONDS} s warm-up, ${PASSES} x ${SECONDS} s measured per server`,
  `requests:   ${POOL} distinct signed PutEvents requests of ${ENTRIES_PER_REQUEST} entries (${formatInt(bodyBytes)} bytes of body on average), replayed round-robin`,
  `rules:      ${RULES} on the default bus (generateScalingRules), one SQS target each; ${expectedMatches.toFixed(2)} matches per event expected`,
  LATENCY_SECONDS > 0
    ? `latency:    open loop at ${RATES.map((rate) => `${formatInt(rate)}`).join(' and ')} requests/s (x ${ENTRIES_PER_REQUEST} events), ${LATENCY_SECONDS} s each after ${LATENCY_WARMUP_SECONDS} s unrecorded, ${LATENCY_SOCKETS} keep-alive sockets`
    : 'latency:    not measured (BUSWAY_BENCH_LATENCY_SECONDS=0)',
  `SQLite:     synchronous = ${SYNC_MODES.join(', then ')} (WAL); data in ${workDir}`,
  `sources:    ${describeSources()}`,
  `server:     node ${[...serverNodeFlags(CPU_PROF_DIR), ''].join(' ')}--conditions=source --import tsx packages/cli/src/bin.ts serve --port 0 --log-level warn --sqlite-synchronous MODE, BUSWAY_ACCESS_KEY_ID set`,
]);

interface ThroughputRow {
  server: string;
  passes: WrkResult[];
}
interface LatencyRow {
  server: string;
  rate: number;
  result: Awaited<ReturnType<typeof runOpenLoop>>;
}
const throughput: ThroughputRow[] = [];
const latency: LatencyRow[] = [];
const serverNotes: string[] = [];
/** Bytes the server process wrote to storage per event (/proc/<pid>/io write_bytes), per pass. */
const writes = new Map<string, number[]>();

/** wrk warm-up then measured passes; the pool is signed afresh for each run. */
async function measureThroughput(label: string, server: ChildServer): Promise<WrkResult[]> {
  const pool = await SignedPool.create(server.url, bodies, BENCH_CREDENTIALS);
  const script = join(workDir, `${label.replace(/\W+/g, '-')}.lua`);
  const run = async (seconds: number): Promise<WrkResult> => {
    await pool.sign();
    writeWrkScript(script, pool.all());
    const result = await runWrk({
      url: server.url,
      script,
      connections: CONNECTIONS,
      threads: THREADS,
      seconds,
    });
    if (result.statusErrors > 0 || result.socketErrors > 0) {
      fail(
        `${label}: wrk saw ${result.statusErrors} non-2xx answers and ${result.socketErrors} socket errors`,
      );
    }
    return result;
  };
  if (WARMUP_SECONDS > 0) {
    const warm = await run(WARMUP_SECONDS);
    console.log(`${label}: warm-up ${formatInt(warm.requestsPerSecond * ENTRIES_PER_REQUEST)} events/s`);
  }
  const passes: WrkResult[] = [];
  for (let pass = 1; pass <= PASSES; pass++) {
    const ioBefore = readProcessIo(server.pid);
    const result = await run(SECONDS);
    const ioAfter = readProcessIo(server.pid);
    passes.push(result);
    const events = result.requests * ENTRIES_PER_REQUEST;
    const written = ioBefore && ioAfter ? (ioAfter.writeBytes - ioBefore.writeBytes) / events : Number.NaN;
    writes.set(label, [...(writes.get(label) ?? []), written]);
    const memory = readProcessMemory(server.pid);
    console.log(
      `${label}: pass ${pass}: ${formatInt(result.requestsPerSecond)} requests/s, ` +
        `${formatInt(result.requestsPerSecond * ENTRIES_PER_REQUEST)} events/s, wrk p50 ${formatMs(result.p50)} ms, ` +
        `p99 ${formatMs(result.p99)} ms` +
        (Number.isNaN(written) ? '' : `, ${formatInt(written)} bytes written to storage per event`) +
        (memory ? `, server RSS ${formatMiB(memory.rss)}` : ''),
    );
  }
  throughput.push({ server: label, passes });
  return passes;
}

/** wrk's answered requests, all of which must have stored their 10 events. */
const answered = (results: readonly WrkResult[]): number => results.reduce((sum, r) => sum + r.requests, 0);

if (BARE) {
  const bare = await spawnServer({
    args: ['bench/put-events-bare-server.ts'],
    ready: /bare server listening on (http:\/\/\S+)/,
  });
  try {
    await measureThroughput('bare node:http', bare);
  } finally {
    await bare.stop();
  }
}

for (const mode of SYNC_MODES) {
  const label = `busway sync=${mode}`;
  const dataDir = join(workDir, `data-${mode}`);
  mkdirSync(dataDir);
  if (CPU_PROF_DIR) mkdirSync(CPU_PROF_DIR, { recursive: true });
  const server = await startBusway({
    dataDir,
    flags: ['--sqlite-synchronous', mode, '--log-level', 'warn'],
    credentials: BENCH_CREDENTIALS,
    nodeFlags: serverNodeFlags(CPU_PROF_DIR),
  });
  let requestsSent = 0;
  try {
    const setup = await createRules(server.url, BENCH_CREDENTIALS, rules, RULE_CONCURRENCY);
    console.log(
      `${label}: ${setup.rules} rules with targets created through the SDK in ${formatInt(setup.ms)} ms`,
    );

    // One request by hand first: it must be accepted whole, and a wrong signature must be refused.
    const pool = await SignedPool.create(server.url, bodies, BENCH_CREDENTIALS);
    const agent = keepAliveAgent(1);
    const problem = putEventsProblem(await send(agent, server.url, pool.take()), ENTRIES_PER_REQUEST);
    if (problem !== undefined) fail(`${label}: a signed PutEvents was not accepted: ${problem}`);
    requestsSent++;
    const forged = pool.take();
    const refused = await send(agent, server.url, {
      body: forged.body,
      headers: {
        ...forged.headers,
        authorization: forged.headers['authorization']!.replace(/.$/, (c) => (c === '0' ? '1' : '0')),
      },
    });
    if (refused.status === 200)
      fail(`${label}: a wrongly signed request was accepted: signatures are not verified`);
    agent.destroy();

    const passes = await measureThroughput(label, server);
    requestsSent += answered(passes);
    // The warm-up's answers are not kept: count them through the store's total below instead.

    for (const rate of LATENCY_SECONDS > 0 ? RATES : []) {
      pool.keepFresh();
      const result = await runOpenLoop({
        url: server.url,
        pool,
        entriesPerRequest: ENTRIES_PER_REQUEST,
        rate,
        seconds: LATENCY_SECONDS,
        warmupSeconds: LATENCY_WARMUP_SECONDS,
        maxSockets: LATENCY_SOCKETS,
      });
      pool.stop();
      requestsSent += result.ok;
      if (result.failed > 0)
        fail(`${label}: ${result.failed} latency requests failed; first: ${result.firstProblem}`);
      latency.push({ server: label, rate, result });
      const sorted = result.latencyMs.slice().sort();
      console.log(
        `${label}: latency at ${rate} requests/s: p50 ${formatMs(quantile(sorted, 0.5))} ms, ` +
          `p99 ${formatMs(quantile(sorted, 0.99))} ms, max ${formatMs(quantile(sorted, 1))} ms`,
      );
    }
    const memory = readProcessMemory(server.pid);
    if (memory)
      serverNotes.push(
        `${label}: server RSS at the end ${formatMiB(memory.rss)}, peak ${formatMiB(memory.peakRss)}`,
      );
  } finally {
    const code = await server.stop();
    if (code !== 0) fail(`${label}: the server exited with code ${code}; stderr:\n${server.stderrTail()}`);
  }
  const counts = readStoredCounts(dataDir);
  const perEvent = counts.deliveries / counts.events;
  serverNotes.push(
    `${label}: stored ${formatInt(counts.events)} events and ${formatInt(counts.deliveries)} deliveries ` +
      `(${perEvent.toFixed(3)} per event; the engine predicts ${expectedMatches.toFixed(3)} for the request pool)`,
  );
  if (counts.events < requestsSent * ENTRIES_PER_REQUEST) {
    fail(
      `${label}: ${formatInt(counts.events)} events stored, but ${formatInt(requestsSent * ENTRIES_PER_REQUEST)} were acknowledged in measured runs`,
    );
  }
  if (counts.rules !== RULES || counts.targets !== RULES)
    fail(`${label}: ${counts.rules} rules and ${counts.targets} targets stored, not ${RULES}`);
  // wrk sends the pool round-robin per thread, so the mix is the pool's up to the last partial cycle.
  if (Math.abs(perEvent - expectedMatches) > 0.05 * Math.max(expectedMatches, 0.1)) {
    fail(
      `${label}: ${perEvent.toFixed(3)} deliveries per event stored, ${expectedMatches.toFixed(3)} expected`,
    );
  }
  rmSync(dataDir, { recursive: true, force: true });
}

console.log();
console.log('## Throughput (wrk, closed loop)');
const bareRow = throughput.find((row) => row.server === 'bare node:http');
const bareEvents = bareRow
  ? median(bareRow.passes.map((r) => r.requestsPerSecond)) * ENTRIES_PER_REQUEST
  : Number.NaN;
const table: string[][] = [
  [
    'server',
    'passes: events/s',
    'median events/s',
    'requests/s',
    'of bare',
    'wrk p50 ms',
    'wrk p99 ms',
    'bytes written/event',
  ],
];
for (const row of throughput) {
  const rps = median(row.passes.map((r) => r.requestsPerSecond));
  table.push([
    row.server,
    row.passes.map((r) => formatInt(r.requestsPerSecond * ENTRIES_PER_REQUEST)).join(' / '),
    formatInt(rps * ENTRIES_PER_REQUEST),
    formatInt(rps),
    Number.isNaN(bareEvents) ? '-' : ((rps * ENTRIES_PER_REQUEST) / bareEvents).toFixed(3),
    formatMs(median(row.passes.map((r) => r.p50))),
    formatMs(median(row.passes.map((r) => r.p99))),
    row.server.startsWith('bare') ? '-' : formatInt(median(writes.get(row.server) ?? [])),
  ]);
}
for (const line of formatTable(table)) console.log(line);

if (latency.length > 0) {
  console.log();
  console.log(`## Latency (open loop, ${LATENCY_SECONDS} s per rate)`);
  const rows: string[][] = [
    [
      'server',
      'requests/s',
      'events/s',
      'answered',
      'p50 ms',
      'p90 ms',
      'p99 ms',
      'p99.9 ms',
      'max ms',
      'max send lag ms',
    ],
  ];
  for (const { server, rate, result } of latency) {
    const sorted = result.latencyMs.slice().sort();
    rows.push([
      server,
      formatInt(rate),
      formatInt(rate * ENTRIES_PER_REQUEST),
      formatInt(result.ok),
      formatMs(quantile(sorted, 0.5)),
      formatMs(quantile(sorted, 0.9)),
      formatMs(quantile(sorted, 0.99)),
      formatMs(quantile(sorted, 0.999)),
      formatMs(quantile(sorted, 1)),
      formatMs(result.maxSendLagMs),
    ]);
  }
  for (const line of formatTable(rows)) console.log(line);
  console.log(
    '(latency counts from each request\'s scheduled send time; "max send lag": how late the generator sent)',
  );
}

console.log();
for (const note of serverNotes) console.log(note);
rmSync(workDir, { recursive: true, force: true });
if (failures.length > 0) {
  console.log(`\n${failures.length} check(s) failed.`);
  process.exit(1);
}
