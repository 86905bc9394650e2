/**
 * `npm run bench:archives`: replay rate from a large archive while live traffic continues, the live
 * end-to-end latency with and without a replay running, and storage sink write throughput. `busway serve`
 * runs as a child process (from source, an access key set so every signature is verified, SQLite
 * `synchronous=full`); the load generators and a fast HTTP endpoint on 127.0.0.1 (answers 200 at once,
 * behind an API_KEY connection) run in this process.
 *
 * Phases, each printing os.loadavg() at its start and end (the machine may be shared):
 * 1. fill: BUSWAY_BENCH_ARCHIVE_EVENTS events (default 1,000,000; source `fill`) put in batches of 10 by
 *    8 concurrent callers into an archive whose pattern takes them (stored rows are written at ingest).
 *    They match no rule, so nothing is delivered.
 * 2. live, no replay: an open-loop PutEvents load (BUSWAY_BENCH_LIVE_RATE, default 200 events/s, one
 *    event per call) to a rule with an API destination; latency from a call's scheduled send time to the
 *    endpoint having the whole request, as bench/delivery.bench.ts measures it.
 * 3. unlimited replay: the same live load while the whole archive is replayed with
 *    `--replay-rate-per-second 1000000` (the maximum), so the replayer is measured, not the limit. The
 *    replay's FilterArns name a rule (`replay-name` exists) whose API destination is a second path of the
 *    same endpoint, so replayed events are delivered too and compete with live ones. Replay rate =
 *    EventsReplayed over the replay's duration (Busway.GetReplayProgress polled every second).
 *    BUSWAY_BENCH_REPLAY_SECONDS (default 0: the whole archive) cancels it after that many seconds.
 * 4. default limit: the server restarted on the same data dir without the flag (default 1000/s), live
 *    load again, a second replay for BUSWAY_BENCH_LIMITED_SECONDS (default 20), then cancelled.
 * 5. storage sinks: BUSWAY_BENCH_SINK_EVENTS events (default 100,000) put as fast as 8 callers can into
 *    a local-directory sink (4 partitions by detail.clientId and the hour, 1 MiB / 1 s batches), once
 *    without and once with gzip. Lines/s from the first to the last object durable in the folder (each
 *    object's mtime: written to a temporary name, fsynced, renamed), not counting the first object's lines.
 *
 * Every event put must arrive (at the endpoint, or as a line in the sink's files); duplicates are counted.
 * A run fails only on missing events or failed calls; no timing is asserted.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  CancelReplayCommand,
  CreateApiDestinationCommand,
  CreateArchiveCommand,
  CreateConnectionCommand,
  DescribeArchiveCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
  StartReplayCommand,
} from '@aws-sdk/client-eventbridge';
import { createServerClient, type ServerClient } from '../packages/cli/src/server-client.js';
import { envInt, formatInt, now, printHeader } from './report.js';
import {
  ACCOUNT_ID,
  BENCH_CREDENTIALS,
  type ChildServer,
  describeSources,
  formatMs,
  keepAliveAgent,
  putEventsProblem,
  quantile,
  REGION,
  send,
  signPutEvents,
  startBusway,
} from './server-harness.js';

const ARCHIVE_EVENTS = envInt('BUSWAY_BENCH_ARCHIVE_EVENTS', 1_000_000);
const LIVE_RATE = envInt('BUSWAY_BENCH_LIVE_RATE', 200);
const BASELINE_SECONDS = envInt('BUSWAY_BENCH_SECONDS', 10);
const LIMITED_SECONDS = envInt('BUSWAY_BENCH_LIMITED_SECONDS', 20);
/** Cuts the unlimited replay off (cancelled) after this many seconds; 0 replays the whole archive. */
const REPLAY_SECONDS = envInt('BUSWAY_BENCH_REPLAY_SECONDS', 0, 0);
const SINK_EVENTS = envInt('BUSWAY_BENCH_SINK_EVENTS', 100_000);
const CONCURRENCY = envInt('BUSWAY_BENCH_CONCURRENCY', 64);
const FILL_CALLERS = 8;
const UNLIMITED_RATE = 1_000_000;
/** A wait for arrivals fails when nothing new arrived for this long. */
const STALL_MS = 120_000;

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

function loadavg(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}

function phase(name: string): { end(): void } {
  const started = now();
  console.log(`\n## ${name}  (load average at start: ${loadavg()})`);
  return {
    end() {
      console.log(
        `   (load average at end: ${loadavg()}; phase took ${((now() - started) / 1000).toFixed(1)} s)`,
      );
    },
  };
}

// --- the endpoint ---------------------------------------------------------------------------------------

/** Which fill events a replay delivered: one byte per archived event. */
interface ReplayArrivals {
  seen: Uint8Array;
  count: number;
  duplicates: number;
  first: number;
  last: number;
}

interface Endpoint {
  url: string;
  /** Live events: arrival time (now()) per sequence number. */
  live: Map<number, number>;
  liveDuplicates: number;
  replays: Map<string, ReplayArrivals>;
  /** Called after every arrival (waits check their condition). */
  onArrival: (() => void) | undefined;
  close(): Promise<void>;
}

async function startEndpoint(): Promise<Endpoint> {
  const endpoint: Endpoint = {
    url: '',
    live: new Map(),
    liveDuplicates: 0,
    replays: new Map(),
    onArrival: undefined,
    close: async () => {},
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const at = now();
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        'replay-name'?: string;
        detail: { n?: number; f?: number };
      };
      const replayName = event['replay-name'];
      if (replayName !== undefined && event.detail.f !== undefined) {
        let arrivals = endpoint.replays.get(replayName);
        if (arrivals === undefined) {
          arrivals = { seen: new Uint8Array(ARCHIVE_EVENTS), count: 0, duplicates: 0, first: at, last: at };
          endpoint.replays.set(replayName, arrivals);
        }
        if (arrivals.seen[event.detail.f] === 1) arrivals.duplicates++;
        else {
          arrivals.seen[event.detail.f] = 1;
          arrivals.count++;
        }
        arrivals.last = at;
      } else if (event.detail.n !== undefined) {
        if (endpoint.live.has(event.detail.n)) endpoint.liveDuplicates++;
        else endpoint.live.set(event.detail.n, at);
      }
      res.writeHead(200).end('ok');
      endpoint.onArrival?.();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  endpoint.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return endpoint;
}

/** Waits until `done()` holds, re-checked on each arrival; false when nothing arrived for STALL_MS. */
async function waitUntil(endpoint: Endpoint, done: () => boolean): Promise<boolean> {
  if (done()) return true;
  return new Promise<boolean>((resolve) => {
    let timer = setTimeout(() => finish(false), STALL_MS);
    function finish(ok: boolean): void {
      clearTimeout(timer);
      endpoint.onArrival = undefined;
      resolve(ok);
    }
    endpoint.onArrival = () => {
      if (done()) return finish(true);
      clearTimeout(timer);
      timer = setTimeout(() => finish(false), STALL_MS);
    };
  });
}

// --- load -----------------------------------------------------------------------------------------------

let liveSequence = 0;

interface LiveLoad {
  /** Stops sending; resolves once every call was answered. */
  stop(): Promise<{ first: number; scheduledAt: Map<number, number>; problems: number }>;
}

/**
 * Open loop: LIVE_RATE calls per second of one event each, scheduled evenly whatever the answers do
 * (signed when due: the signing time is part of the measured latency, so it can only overstate it).
 */
function startLiveLoad(server: ChildServer): LiveLoad {
  const agent = keepAliveAgent(64);
  const first = liveSequence;
  const scheduledAt = new Map<number, number>();
  const interval = 1000 / LIVE_RATE;
  const start = now() + 20;
  let sent = 0;
  let answered = 0;
  let problems = 0;
  let stopping = false;
  let allAnswered: (() => void) | undefined;
  const answer = (): void => {
    if (++answered === sent && stopping) allAnswered?.();
  };
  const tick = (): void => {
    const t = now();
    while (!stopping && start + sent * interval <= t) {
      const n = liveSequence++;
      scheduledAt.set(n, start + sent * interval);
      sent++;
      const body = JSON.stringify({
        Entries: [{ Source: 'bench', DetailType: 'Tick', Detail: JSON.stringify({ n }) }],
      });
      signPutEvents(server.url, body, BENCH_CREDENTIALS)
        .then((request) => send(agent, server.url, request))
        .then(
          (result) => {
            if (putEventsProblem(result, 1) !== undefined) problems++;
            answer();
          },
          () => {
            problems++;
            answer();
          },
        );
    }
    if (!stopping) setTimeout(tick, 1);
  };
  setTimeout(tick, 20);
  return {
    async stop() {
      stopping = true;
      if (answered < sent) await new Promise<void>((resolve) => (allAnswered = resolve));
      agent.destroy();
      return { first, scheduledAt, problems };
    },
  };
}

interface LiveFigures {
  line: string;
  missing: number;
}

/** Latency of the live events after the first second (warm-up), once they all arrived. */
async function liveFigures(
  endpoint: Endpoint,
  label: string,
  load: Awaited<ReturnType<LiveLoad['stop']>>,
): Promise<LiveFigures> {
  const numbers = [...load.scheduledAt.keys()];
  await waitUntil(endpoint, () => numbers.every((n) => endpoint.live.has(n)));
  const warmup = LIVE_RATE;
  const latencies: number[] = [];
  let missing = 0;
  for (const n of numbers.slice(warmup)) {
    const arrived = endpoint.live.get(n);
    if (arrived === undefined) missing++;
    else latencies.push(arrived - load.scheduledAt.get(n)!);
  }
  const sorted = Float64Array.from(latencies).sort();
  return {
    missing: missing + load.problems,
    line:
      `${label} | ${formatInt(latencies.length + missing)} | ${formatMs(quantile(sorted, 0.5))} | ` +
      `${formatMs(quantile(sorted, 0.9))} | ${formatMs(quantile(sorted, 0.99))} | ${formatMs(quantile(sorted, 1))} | ` +
      `${missing} | ${load.problems}`,
  };
}

/** PutEvents bodies of `count` events, 10 per call, put by FILL_CALLERS concurrent callers. */
async function putFast(
  server: ChildServer,
  count: number,
  entry: (i: number) => { Source: string; DetailType: string; Detail: string },
  onProgress?: (done: number, ms: number) => void,
): Promise<{ ms: number; problems: number }> {
  const agent = keepAliveAgent(FILL_CALLERS);
  const started = now();
  let next = 0;
  let problems = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: FILL_CALLERS }, async () => {
      while (next < count) {
        const from = next;
        const to = Math.min(count, from + 10);
        next = to;
        const entries = [];
        for (let i = from; i < to; i++) entries.push(entry(i));
        const request = await signPutEvents(
          server.url,
          JSON.stringify({ Entries: entries }),
          BENCH_CREDENTIALS,
        );
        try {
          const problem = putEventsProblem(await send(agent, server.url, request), entries.length);
          if (problem !== undefined) {
            if (problems++ === 0) console.error(`PutEvents failed: ${problem}`);
          }
        } catch (error) {
          if (problems++ === 0) console.error(`PutEvents failed: ${String(error)}`);
        }
        done += to - from;
        if (
          onProgress !== undefined &&
          Math.floor(done / 100_000) > Math.floor((done - (to - from)) / 100_000)
        )
          onProgress(done, now() - started);
      }
    }),
  );
  agent.destroy();
  return { ms: now() - started, problems };
}

// --- replays ---------------------------------------------------------------------------------------------

interface Progress {
  State: string;
  EventsReplayed: number;
  EventsTotal: number;
}

interface ReplayRun {
  state: string;
  /** EventsReplayed at the end (after a cut-off's cancel landed). */
  replayed: number;
  /** EventsReplayed at the last timed poll (COMPLETED or the cut-off). */
  timedReplayed: number;
  total: number;
  /** Events replayed per second from StartReplay to the last poll (COMPLETED or the cut-off). */
  rate: number;
  /** The same, from the first poll that showed progress (the replay's start-up excluded). */
  steadyRate: number;
  seconds: number;
}

async function runReplay(
  client: EventBridgeClient,
  busway: ServerClient,
  name: string,
  filterArn: string,
  window: { from: Date; to: Date },
  maxSeconds: number | undefined,
): Promise<ReplayRun> {
  const started = now();
  await client.send(
    new StartReplayCommand({
      ReplayName: name,
      EventSourceArn: `arn:aws:events:${REGION}:${ACCOUNT_ID}:archive/bench`,
      EventStartTime: window.from,
      EventEndTime: window.to,
      Destination: {
        Arn: `arn:aws:events:${REGION}:${ACCOUNT_ID}:event-bus/default`,
        FilterArns: [filterArn],
      },
    }),
  );
  let progress: Progress;
  let firstMoving: { at: number; replayed: number } | undefined;
  let cancelled = false;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    progress = await busway.call<Progress>('GetReplayProgress', { ReplayName: name });
    const at = now();
    if (firstMoving === undefined && progress.EventsReplayed > 0)
      firstMoving = { at, replayed: progress.EventsReplayed };
    if (['COMPLETED', 'CANCELLED', 'FAILED'].includes(progress.State)) break;
    if (!cancelled && maxSeconds !== undefined && at - started >= maxSeconds * 1000) {
      await client.send(new CancelReplayCommand({ ReplayName: name }));
      cancelled = true;
      const replayed = progress.EventsReplayed;
      // The rate up to the cut-off: what is replayed while the cancel lands is not timed.
      const seconds = (at - started) / 1000;
      const steady =
        firstMoving === undefined ? 0 : (replayed - firstMoving.replayed) / ((at - firstMoving.at) / 1000);
      do {
        await new Promise((resolve) => setTimeout(resolve, 200));
        progress = await busway.call<Progress>('GetReplayProgress', { ReplayName: name });
      } while (!['CANCELLED', 'COMPLETED', 'FAILED'].includes(progress.State));
      return {
        state: progress.State,
        replayed: progress.EventsReplayed,
        total: progress.EventsTotal,
        timedReplayed: replayed,
        rate: replayed / seconds,
        steadyRate: steady,
        seconds,
      };
    }
  }
  const seconds = (now() - started) / 1000;
  const steadySeconds = firstMoving === undefined ? 0 : (now() - firstMoving.at) / 1000;
  return {
    state: progress.State,
    replayed: progress.EventsReplayed,
    total: progress.EventsTotal,
    timedReplayed: progress.EventsReplayed,
    rate: progress.EventsReplayed / seconds,
    steadyRate:
      firstMoving === undefined || steadySeconds < 2
        ? Number.NaN
        : (progress.EventsReplayed - firstMoving.replayed) / steadySeconds,
    seconds,
  };
}

function replayLine(run: ReplayRun): string {
  return (
    `   replay ${run.state}: ${formatInt(run.timedReplayed)} of ${formatInt(run.total)} events in ` +
    `${run.seconds.toFixed(1)} s: ${formatInt(run.rate)} events/s ` +
    `(${formatInt(run.steadyRate)}/s from the first progress seen)` +
    (run.replayed !== run.timedReplayed ? `; ${formatInt(run.replayed)} when the cancel landed` : '')
  );
}

// --- sinks ----------------------------------------------------------------------------------------------

interface SinkObjects {
  lines: number;
  duplicates: number;
  objects: number;
  firstMtime: number;
  firstObjectLines: number;
  lastMtime: number;
  bytes: number;
}

/** Reads the sink's finished objects (not `.partial` ones) and marks the events found in them. */
function readSinkObjects(
  root: string,
  seen: Uint8Array,
  known: Map<string, number>,
  into: SinkObjects,
): void {
  const walk = (dir: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.ndjson(\.gz)?$/.test(entry.name) && !known.has(path)) {
        const raw = readFileSync(path);
        const mtime = statSync(path).mtimeMs;
        const text = (entry.name.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
        let lines = 0;
        for (const line of text.split('\n')) {
          if (line === '') continue;
          const n = (JSON.parse(line) as { detail: { n: number } }).detail.n;
          if (seen[n] === 1) into.duplicates++;
          else {
            seen[n] = 1;
            into.lines++;
          }
          lines++;
        }
        known.set(path, mtime);
        into.objects++;
        into.bytes += raw.length;
        if (mtime < into.firstMtime) {
          into.firstMtime = mtime;
          into.firstObjectLines = lines;
        }
        into.lastMtime = Math.max(into.lastMtime, mtime);
      }
    }
  };
  walk(root);
}

async function runSink(
  server: ChildServer,
  client: EventBridgeClient,
  busway: ServerClient,
  dataDir: string,
  gzip: boolean,
): Promise<{ line: string; missing: number }> {
  const name = gzip ? 'gzip' : 'plain';
  const sinkArn = `arn:aws:busway:${REGION}:${ACCOUNT_ID}:sink/${name}`;
  await busway.call('CreateSink', {
    Name: name,
    Destination: { Type: 'LOCAL', Directory: name },
    KeyTemplate: 'clientevents/{detail.clientId}/{yyyy}/{MM}/{dd}/{HH}/',
    MaxBatchBytes: 1024 * 1024,
    MaxBatchSeconds: 1,
    Compression: gzip ? 'GZIP' : 'NONE',
  });
  const source = `sink-${name}`;
  await client.send(
    new PutRuleCommand({ Name: `to-${name}`, EventPattern: JSON.stringify({ source: [source] }) }),
  );
  await client.send(new PutTargetsCommand({ Rule: `to-${name}`, Targets: [{ Id: 'sink', Arn: sinkArn }] }));

  const root = join(dataDir, 'sink-output', name);
  const seen = new Uint8Array(SINK_EVENTS);
  const known = new Map<string, number>();
  const found: SinkObjects = {
    lines: 0,
    duplicates: 0,
    objects: 0,
    firstMtime: Infinity,
    firstObjectLines: 0,
    lastMtime: 0,
    bytes: 0,
  };
  const putStartedAt = Date.now();
  let polling = true;
  const poller = (async () => {
    while (polling) {
      readSinkObjects(root, seen, known, found);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  })();
  const put = await putFast(server, SINK_EVENTS, (n) => ({
    Source: source,
    DetailType: 'ClientEvent',
    Detail: JSON.stringify({ clientId: `client-${n % 4}`, n, page: '/checkout/basket', amount: n % 997 }),
  }));
  polling = false;
  await poller;
  let lastGrowth = Date.now();
  let lines = found.lines;
  while (found.lines < SINK_EVENTS && Date.now() - lastGrowth < STALL_MS) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    readSinkObjects(root, seen, known, found);
    if (found.lines > lines) {
      lines = found.lines;
      lastGrowth = Date.now();
    }
  }
  const missing = SINK_EVENTS - found.lines + put.problems;
  const spanSeconds = (found.lastMtime - found.firstMtime) / 1000;
  const lineRate = (found.lines - found.firstObjectLines) / spanSeconds;
  const endToEnd = found.lines / ((found.lastMtime - putStartedAt) / 1000);
  return {
    missing,
    line:
      `${gzip ? 'gzip' : 'none'} | ${formatInt(SINK_EVENTS)} | ${formatInt(SINK_EVENTS / (put.ms / 1000))} | ` +
      `${formatInt(found.objects)} | ${(found.bytes / 2 ** 20).toFixed(1)} MiB | ${spanSeconds.toFixed(1)} s | ` +
      `${formatInt(lineRate)} | ${formatInt(endToEnd)} | ${SINK_EVENTS - found.lines} | ${found.duplicates}`,
  };
}

// --- main -----------------------------------------------------------------------------------------------

async function setUp(client: EventBridgeClient, endpoint: Endpoint): Promise<string> {
  const connection = await client.send(
    new CreateConnectionCommand({
      Name: 'bench',
      AuthorizationType: 'API_KEY',
      AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: 'x-api-key', ApiKeyValue: 'bench' } },
    }),
  );
  const destination = async (name: string) =>
    (
      await client.send(
        new CreateApiDestinationCommand({
          Name: name,
          ConnectionArn: connection.ConnectionArn!,
          InvocationEndpoint: `${endpoint.url}/${name}`,
          HttpMethod: 'POST',
          // Far above the rates measured: the engine is measured, not the limiter.
          InvocationRateLimitPerSecond: 100_000,
        }),
      )
    ).ApiDestinationArn!;
  await client.send(new PutRuleCommand({ Name: 'live', EventPattern: '{"source":["bench"]}' }));
  await client.send(
    new PutTargetsCommand({ Rule: 'live', Targets: [{ Id: 'http', Arn: await destination('live') }] }),
  );
  const replayed = await client.send(
    new PutRuleCommand({
      Name: 'replayed',
      EventPattern: '{"source":["fill"],"replay-name":[{"exists":true}]}',
    }),
  );
  await client.send(
    new PutTargetsCommand({ Rule: 'replayed', Targets: [{ Id: 'http', Arn: await destination('replay') }] }),
  );
  await client.send(
    new CreateArchiveCommand({
      ArchiveName: 'bench',
      EventSourceArn: `arn:aws:events:${REGION}:${ACCOUNT_ID}:event-bus/default`,
      EventPattern: '{"source":["fill"]}',
    }),
  );
  return replayed.RuleArn!;
}

function clients(server: ChildServer): { client: EventBridgeClient; busway: ServerClient } {
  return {
    client: new EventBridgeClient({
      endpoint: server.url.href,
      region: REGION,
      credentials: BENCH_CREDENTIALS,
    }),
    busway: createServerClient({
      endpoint: server.url.origin,
      region: REGION,
      credentials: BENCH_CREDENTIALS,
    }),
  };
}

async function main(): Promise<void> {
  printHeader('Busway archives: replay rate, live latency during a replay, storage sink throughput', [
    `server: ${describeSources()}`,
    `archive ${formatInt(ARCHIVE_EVENTS)} events${REPLAY_SECONDS > 0 ? ` (unlimited replay cut off after ${REPLAY_SECONDS} s)` : ''} (batches of 10, ${FILL_CALLERS} callers); live load ${LIVE_RATE} events/s ` +
      `(1 per call, open loop, 1 s warm-up), ${BASELINE_SECONDS} s without replay; default-limit replay ${LIMITED_SECONDS} s; ` +
      `sink ${formatInt(SINK_EVENTS)} events per compression`,
    `--delivery-concurrency ${CONCURRENCY}, SQLite synchronous=full, endpoint on 127.0.0.1 answering 200 at once`,
    `load average at start: ${loadavg()} (the machine may be shared with other work)`,
  ]);
  const dataDir = mkdtempSync(join(os.tmpdir(), 'busway-bench-archives-'));
  const endpoint = await startEndpoint();
  const serverFlags = ['--delivery-concurrency', String(CONCURRENCY), '--log-level', 'warn'];
  let server = await startBusway({
    dataDir,
    credentials: BENCH_CREDENTIALS,
    flags: [...serverFlags, '--replay-rate-per-second', String(UNLIMITED_RATE)],
  });
  let { client, busway } = clients(server);
  let failed = false;
  const liveRows: string[] = [];
  try {
    const replayedRuleArn = await setUp(client, endpoint);

    // 1. Fill the archive.
    let p = phase(`fill: ${formatInt(ARCHIVE_EVENTS)} events into the archive`);
    const fillFrom = new Date(Math.floor(Date.now() / 1000) * 1000 - 1000);
    const fill = await putFast(
      server,
      ARCHIVE_EVENTS,
      (f) => ({
        Source: 'fill',
        DetailType: 'Order',
        Detail: JSON.stringify({
          f,
          clientId: `client-${f % 16}`,
          sku: `sku-${(f * 7919) % 100_000}`,
          qty: f % 9,
        }),
      }),
      (done, ms) =>
        console.log(
          `   ${formatInt(done)} put, ${formatInt(done / (ms / 1000))} events/s so far, load average ${loadavg()}`,
        ),
    );
    const fillTo = new Date(Math.ceil(Date.now() / 1000) * 1000 + 1000);
    const archive = await client.send(new DescribeArchiveCommand({ ArchiveName: 'bench' }));
    console.log(
      `   put ${formatInt(ARCHIVE_EVENTS)} events in ${(fill.ms / 1000).toFixed(1)} s: ` +
        `${formatInt(ARCHIVE_EVENTS / (fill.ms / 1000))} events/s; archive EventCount ${formatInt(archive.EventCount ?? 0)}, ` +
        `SizeBytes ${((archive.SizeBytes ?? 0) / 2 ** 20).toFixed(1)} MiB; ${fill.problems} failed calls`,
    );
    if (fill.problems > 0 || archive.EventCount !== ARCHIVE_EVENTS) failed = true;
    p.end();

    // 2. Live latency, no replay.
    p = phase(`live ${LIVE_RATE} events/s, no replay, ${BASELINE_SECONDS} s`);
    let load = startLiveLoad(server);
    await new Promise((resolve) => setTimeout(resolve, (BASELINE_SECONDS + 1) * 1000));
    let live = await liveFigures(endpoint, 'no replay', await load.stop());
    liveRows.push(live.line);
    if (live.missing > 0) failed = true;
    p.end();

    // 3. The whole archive replayed at --replay-rate-per-second 1000000, live load continuing.
    p = phase(
      `replay of the ${REPLAY_SECONDS > 0 ? `archive, cut off after ${REPLAY_SECONDS} s,` : 'whole archive'} ` +
        `at --replay-rate-per-second ${formatInt(UNLIMITED_RATE)}, live ${LIVE_RATE}/s`,
    );
    load = startLiveLoad(server);
    await new Promise((resolve) => setTimeout(resolve, 1000)); // the live load's warm-up second
    const unlimited = await runReplay(
      client,
      busway,
      'unlimited',
      replayedRuleArn,
      { from: fillFrom, to: fillTo },
      REPLAY_SECONDS > 0 ? REPLAY_SECONDS : undefined,
    );
    live = await liveFigures(
      endpoint,
      `during replay (limit ${formatInt(UNLIMITED_RATE)}/s)`,
      await load.stop(),
    );
    liveRows.push(live.line);
    if (live.missing > 0) failed = true;
    console.log(replayLine(unlimited));
    const arrivals = (name: string) => endpoint.replays.get(name);
    const delivered = await waitUntil(
      endpoint,
      () => (arrivals('unlimited')?.count ?? 0) >= unlimited.replayed,
    );
    const u = arrivals('unlimited');
    if (u !== undefined) {
      console.log(
        `   replayed events delivered: ${formatInt(u.count)} (${u.duplicates} duplicates) at ` +
          `${formatInt(u.count / ((u.last - u.first) / 1000))}/s (first to last arrival); last arrival ` +
          `${((u.last - u.first) / 1000).toFixed(1)} s after the first`,
      );
    }
    const replayedAll = unlimited.state === 'COMPLETED' && unlimited.replayed === ARCHIVE_EVENTS;
    if (!delivered || (REPLAY_SECONDS === 0 && !replayedAll)) failed = true;
    p.end();

    // 4. Restart at the default limit; a second replay, cut off after LIMITED_SECONDS.
    p = phase(
      `server restarted at the default --replay-rate-per-second (1000); replay for ${LIMITED_SECONDS} s, live ${LIVE_RATE}/s`,
    );
    client.destroy();
    await server.stop();
    server = await startBusway({ dataDir, credentials: BENCH_CREDENTIALS, flags: serverFlags });
    ({ client, busway } = clients(server));
    load = startLiveLoad(server);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const limited = await runReplay(
      client,
      busway,
      'limited',
      replayedRuleArn,
      { from: fillFrom, to: fillTo },
      LIMITED_SECONDS,
    );
    live = await liveFigures(endpoint, 'during replay (default limit 1,000/s)', await load.stop());
    liveRows.push(live.line);
    if (live.missing > 0) failed = true;
    console.log(replayLine(limited));
    const limitedDelivered = await waitUntil(
      endpoint,
      () => (arrivals('limited')?.count ?? 0) >= limited.replayed,
    );
    console.log(`   replayed events delivered: ${formatInt(arrivals('limited')?.count ?? 0)}`);
    if (!limitedDelivered) failed = true;
    p.end();

    console.log('\nlive latency, PutEvents -> API destination:');
    console.log('phase | events | p50 ms | p90 ms | p99 ms | max ms | missing | failed calls');
    for (const row of liveRows) console.log(row);

    // 5. Storage sinks.
    p = phase(`storage sink, local directory: ${formatInt(SINK_EVENTS)} events, gzip off and on`);
    console.log(
      'compression | events | put events/s | objects | bytes | first..last object | lines/s | lines/s from first put | missing | duplicates',
    );
    for (const gzip of [false, true]) {
      const sink = await runSink(server, client, busway, dataDir, gzip);
      console.log(sink.line);
      if (sink.missing > 0) failed = true;
    }
    p.end();
  } finally {
    client.destroy();
    await server.stop();
    await endpoint.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  if (failed) {
    console.error('FAILED: events missing (archive, endpoint or sink files) or calls failed');
    process.exitCode = 1;
  }
}

await main();
