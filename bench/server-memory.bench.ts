/**
 * `npm run bench:server-memory`: the Busway server's resident memory with 10,000 rules and 1,000,000
 * stored events, and the size of its SQLite file.
 *
 * The server runs as a child process (`busway serve` from source, `--max-rules-per-bus` raised, an
 * access key so every request is SigV4-verified), so the load generator's memory does not count. The
 * benchmark creates the rules through the AWS SDK (bench/eventbridge-events.ts generateScalingRules:
 * the 5 rules that can match the traffic, then realistic rules that cannot; one SQS target each), then
 * puts the events with a closed-loop Node generator (10 entries per signed request, 32 requests in
 * flight), then reads the child's VmRSS (with its anonymous, file and shared parts) and VmHWM (peak)
 * from /proc/<pid>/status: at start, after the rules, during the load, after it and after some idle
 * seconds; a sampler also keeps the largest RSS seen every 250 ms. A run fails (exit 1) only when a
 * request is not fully accepted or the store does not hold exactly the events acknowledged.
 *
 * Knobs (env): BUSWAY_BENCH_RULES (10000), BUSWAY_BENCH_EVENTS (1000000), BUSWAY_BENCH_CONCURRENCY (32),
 * BUSWAY_BENCH_POOL (500 distinct signed requests), BUSWAY_BENCH_SYNC (`full`), BUSWAY_BENCH_IDLE_SECONDS
 * (10), BUSWAY_BENCH_CPU_PROF (a folder for the server child's V8 CPU profile), BUSWAY_BENCH_NODE_FLAGS
 * (more Node flags for the server child, e.g. `--trace-gc`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { generateEventBridgeEvents, generateScalingRules } from './eventbridge-events.js';
import { envInt, formatInt, formatTable, printHeader } from './report.js';
import {
  BENCH_CREDENTIALS,
  describeSources,
  serverNodeFlags,
  createRules,
  expectedMatchesPerEvent,
  formatMiB,
  putEventsBodies,
  readProcessMemory,
  readStoredCounts,
  runClosedLoop,
  SignedPool,
  sqliteFileSizes,
  startBusway,
  toPutEventsEntries,
  type ProcessMemory,
  type SqliteFiles,
} from './server-harness.js';

const ENTRIES_PER_REQUEST = 10;
const RULES = envInt('BUSWAY_BENCH_RULES', 10_000, 0);
const EVENTS = envInt('BUSWAY_BENCH_EVENTS', 1_000_000);
const CONCURRENCY = envInt('BUSWAY_BENCH_CONCURRENCY', 32);
const POOL = envInt('BUSWAY_BENCH_POOL', 500);
const IDLE_SECONDS = envInt('BUSWAY_BENCH_IDLE_SECONDS', 10, 0);
const RULE_CONCURRENCY = 16;
const SYNC = process.env['BUSWAY_BENCH_SYNC'] ?? 'full';
const CPU_PROF_DIR = process.env['BUSWAY_BENCH_CPU_PROF'];
if (SYNC !== 'full' && SYNC !== 'normal')
  throw new Error(`BUSWAY_BENCH_SYNC must be full or normal, got ${SYNC}`);
if (EVENTS % ENTRIES_PER_REQUEST !== 0)
  throw new Error(`BUSWAY_BENCH_EVENTS must be a multiple of ${ENTRIES_PER_REQUEST}`);
const REQUESTS = EVENTS / ENTRIES_PER_REQUEST;
/** The goal, read strictly: 300 MB = 300,000,000 bytes (286.1 MiB). */
const GOAL_BYTES = 300_000_000;
const SAMPLE_MS = 250;

const dataDir = mkdtempSync(join(os.tmpdir(), 'busway-bench-memory-'));
const entries = toPutEventsEntries(generateEventBridgeEvents(POOL * ENTRIES_PER_REQUEST));
const bodies = putEventsBodies(entries, ENTRIES_PER_REQUEST);
const bodyBytes = bodies.reduce((sum, body) => sum + Buffer.byteLength(body), 0) / bodies.length;
const rules = generateScalingRules(RULES);
const expectedMatches = expectedMatchesPerEvent(entries, rules);

printHeader('Busway server memory (RSS) with many rules and stored events', [
  `rules:      ${formatInt(RULES)} on the default bus (generateScalingRules), one SQS target each, created through the SDK ${RULE_CONCURRENCY} at a time; ${expectedMatches.toFixed(2)} matches per event expected`,
  `events:     ${formatInt(EVENTS)} in ${formatInt(REQUESTS)} signed PutEvents requests of ${ENTRIES_PER_REQUEST} entries (${POOL} distinct bodies, ${formatInt(bodyBytes)} bytes on average), ${CONCURRENCY} in flight`,
  `sources:    ${describeSources()}`,
  `server:     node ${[...serverNodeFlags(CPU_PROF_DIR), ''].join(' ')}--conditions=source --import tsx packages/cli/src/bin.ts serve --port 0 --max-rules-per-bus ${RULES} --sqlite-synchronous ${SYNC} --log-level warn, BUSWAY_ACCESS_KEY_ID set`,
  `memory:     VmRSS / VmHWM of the server process from /proc/<pid>/status; ${IDLE_SECONDS} s idle before the last reading`,
  `data dir:   ${dataDir}`,
]);

const failures: string[] = [];
const fail = (message: string): void => {
  failures.push(message);
  console.log(`FAILED: ${message}`);
};
const readings: string[][] = [['moment', 'RSS', 'anon', 'file', 'shmem', 'peak RSS (VmHWM)']];

const server = await startBusway({
  dataDir,
  flags: [
    '--max-rules-per-bus',
    String(Math.max(RULES, 1)),
    '--sqlite-synchronous',
    SYNC,
    '--log-level',
    'warn',
  ],
  credentials: BENCH_CREDENTIALS,
  nodeFlags: serverNodeFlags(CPU_PROF_DIR),
});
const memoryRow = (moment: string, memory: ProcessMemory | undefined): string[] =>
  memory === undefined
    ? [moment, 'n/a', 'n/a', 'n/a', 'n/a', 'n/a']
    : [
        moment,
        formatMiB(memory.rss),
        formatMiB(memory.rssAnon),
        formatMiB(memory.rssFile),
        formatMiB(memory.rssShmem),
        formatMiB(memory.peakRss),
      ];
let phase = 'start';
const record = (moment: string): void => {
  phase = moment;
  const memory = readProcessMemory(server.pid);
  readings.push(memoryRow(moment, memory));
  if (memory !== undefined) {
    console.log(`${moment}: RSS ${formatMiB(memory.rss)}, peak ${formatMiB(memory.peakRss)}`);
  }
};
// Between the readings above, a sampler keeps the largest RSS seen and what it was made of.
let largest: { memory: ProcessMemory; after: string } | undefined;
const sampler = setInterval(() => {
  const memory = readProcessMemory(server.pid);
  if (memory !== undefined && (largest === undefined || memory.rss > largest.memory.rss)) {
    largest = { memory, after: phase };
  }
}, SAMPLE_MS);

let loadMs = 0;
let ruleMs = 0;
let ok = 0;
let filesRunning: SqliteFiles | undefined;
let finalRss = Number.NaN;
let peakRss = Number.NaN;
try {
  record('started, no rules');
  const setup = await createRules(server.url, BENCH_CREDENTIALS, rules, RULE_CONCURRENCY, (done) =>
    console.log(`  ${formatInt(done)} rules created`),
  );
  ruleMs = setup.ms;
  console.log(`${formatInt(RULES)} rules with targets created in ${(setup.ms / 1000).toFixed(1)} s`);
  record(`after ${formatInt(RULES)} rules`);

  const pool = await SignedPool.create(server.url, bodies, BENCH_CREDENTIALS);
  pool.keepFresh();
  let lastMs = 0;
  let lastDone = 0;
  const result = await runClosedLoop({
    url: server.url,
    pool,
    entriesPerRequest: ENTRIES_PER_REQUEST,
    requests: REQUESTS,
    concurrency: CONCURRENCY,
    progressEvery: Math.max(1, Math.floor(REQUESTS / 10)),
    onProgress(done, elapsedMs) {
      const rate = ((done - lastDone) * ENTRIES_PER_REQUEST) / ((elapsedMs - lastMs) / 1000);
      lastDone = done;
      lastMs = elapsedMs;
      record(`${formatInt(done * ENTRIES_PER_REQUEST)} events put (last slice ${formatInt(rate)} events/s)`);
    },
  });
  pool.stop();
  loadMs = result.elapsedMs;
  ok = result.ok;
  if (result.failed > 0) fail(`${result.failed} requests failed; first: ${result.firstProblem}`);
  console.log(
    `${formatInt(EVENTS)} events put in ${(result.elapsedMs / 1000).toFixed(1)} s ` +
      `(${formatInt((EVENTS / result.elapsedMs) * 1000)} events/s on average)`,
  );
  filesRunning = sqliteFileSizes(dataDir);
  if (IDLE_SECONDS > 0) {
    await sleep(IDLE_SECONDS * 1000);
    record(`after ${IDLE_SECONDS} s idle`);
  }
  const memory = readProcessMemory(server.pid);
  finalRss = memory?.rss ?? Number.NaN;
  peakRss = memory?.peakRss ?? Number.NaN;
} finally {
  clearInterval(sampler);
  const code = await server.stop();
  if (code !== 0) fail(`the server exited with code ${code}; stderr:\n${server.stderrTail()}`);
}

const filesClosed = sqliteFileSizes(dataDir);
const counts = readStoredCounts(dataDir);
if (counts.events !== ok * ENTRIES_PER_REQUEST) {
  fail(`${formatInt(counts.events)} events stored, ${formatInt(ok * ENTRIES_PER_REQUEST)} acknowledged`);
}
if (counts.rules !== RULES || counts.targets !== RULES)
  fail(`${counts.rules} rules and ${counts.targets} targets stored, not ${RULES}`);
const perEvent = counts.deliveries / counts.events;
if (Math.abs(perEvent - expectedMatches) > 0.01 * Math.max(expectedMatches, 0.1)) {
  fail(`${perEvent.toFixed(3)} deliveries per event stored, ${expectedMatches.toFixed(3)} expected`);
}

console.log();
console.log('## Server memory');
if (largest !== undefined)
  readings.push(
    memoryRow(`largest sampled (every ${SAMPLE_MS} ms), after "${largest.after}"`, largest.memory),
  );
for (const line of formatTable(readings)) console.log(line);
console.log();
const sizeLine = (files: SqliteFiles | undefined): string =>
  files === undefined
    ? 'n/a'
    : `${formatMiB(files.main)} + WAL ${formatMiB(files.wal)} + shm ${formatMiB(files.shm)}`;
console.log(`SQLite file while running (after the load): ${sizeLine(filesRunning)}`);
console.log(`SQLite file after the server stopped:       ${sizeLine(filesClosed)}`);
console.log(
  `stored: ${formatInt(counts.events)} events, ${formatInt(counts.deliveries)} deliveries (${perEvent.toFixed(3)} per event), ` +
    `${formatInt(counts.rules)} rules; ${formatInt(filesClosed.main / counts.events)} bytes of file per event`,
);
console.log(`rule creation ${(ruleMs / 1000).toFixed(1)} s; event load ${(loadMs / 1000).toFixed(1)} s`);
const verdict = (bytes: number): string => (bytes < GOAL_BYTES ? 'under' : 'NOT under');
console.log(
  `goal RSS < 300 MB (286.1 MiB) with ${formatInt(RULES)} rules and ${formatInt(counts.events)} events: ` +
    `final RSS ${formatMiB(finalRss)} (${verdict(finalRss)}), peak ${formatMiB(peakRss)} (${verdict(peakRss)})`,
);
rmSync(dataDir, { recursive: true, force: true });
if (failures.length > 0) {
  console.log(`\n${failures.length} check(s) failed.`);
  process.exit(1);
}
