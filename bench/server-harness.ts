/**
 * Shared parts of the server benchmarks (`bench/put-events.bench.ts`, `bench/server-memory.bench.ts`):
 * the Busway server as a child process, PutEvents requests signed as the JS SDK signs them, rules
 * created through the SDK, wrk runs, Node load generators (open and closed loop) over keep-alive
 * agents, and readings of a process's RSS and of the SQLite files. Nothing here asserts a timing.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Sha256 } from '@aws-crypto/sha256-js';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { SignatureV4 } from '@smithy/signature-v4';
import Database from 'better-sqlite3';
import { createRuleMatcher, parsePattern } from '../packages/patterns/src/index.js';
import type { ScalingRule } from './eventbridge-events.js';
import { now } from './report.js';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const SQLITE_FILE = 'busway.sqlite';
export const REGION = 'us-east-1';
export const ACCOUNT_ID = '000000000000';
/**
 * The rules' target: a queue that does not exist. Since the delivery engine landed, each matched event
 * also costs the server one delivery attempt in the background (ended at once, NO_RESOURCE, recorded
 * as failed), so the PutEvents figures include that work; figures in docs/performance.md measured
 * before it do not.
 */
export const TARGET_ARN = `arn:aws:sqs:${REGION}:${ACCOUNT_ID}:q`;
/** Signatures stay valid for AWS's 5-minute clock window; pools are re-signed well inside it. */
const RESIGN_EVERY_MS = 60_000;

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** The key the benchmark servers are started with (BUSWAY_ACCESS_KEY_ID/BUSWAY_SECRET_ACCESS_KEY). */
export const BENCH_CREDENTIALS: Credentials = {
  accessKeyId: 'AKIDBUSWAYBENCH0001',
  secretAccessKey: 'busway-bench-secret-0001',
};

// --- child processes ------------------------------------------------------------------------------------

export interface ChildServer {
  readonly url: URL;
  readonly pid: number;
  /** The last lines the child wrote to stderr (for error messages). */
  stderrTail(): string;
  /** SIGTERM, then waits for the exit (SIGKILL after 30 s); resolves with the exit code. */
  stop(): Promise<number | null>;
}

export interface SpawnServerOptions {
  /** Node flags before `--conditions=source --import tsx` (e.g. `--cpu-prof`). */
  nodeFlags?: readonly string[];
  /** The script and its arguments, relative to the repository root. */
  args: readonly string[];
  env?: Readonly<Record<string, string>>;
  /** A regular expression whose first group is the URL the server prints on stdout. */
  ready: RegExp;
  /** Copy the child's stdout after the ready line to this process's stderr. */
  forwardStdout?: boolean;
}

/** Starts a Node child (TypeScript sources through tsx) and waits for the line that carries its URL. */
export function spawnServer(options: SpawnServerOptions): Promise<ChildServer> {
  const child: ChildProcess = spawn(
    process.execPath,
    [...(options.nodeFlags ?? []), '--conditions=source', '--import', 'tsx', ...options.args],
    { cwd: REPO_ROOT, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-8000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not print its URL within 60 s; stderr:\n${stderr}`));
    }, 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with code ${code} before listening; stderr:\n${stderr}`));
    });
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      stdout += chunk;
      const match = options.ready.exec(stdout);
      if (match === null || match[1] === undefined) return;
      clearTimeout(timer);
      child.stdout?.removeAllListeners('data');
      // Anything the server prints later (e.g. --trace-gc lines) goes to our stderr, off the report.
      if (options.forwardStdout === true) child.stdout?.pipe(process.stderr);
      else child.stdout?.resume();
      resolve({
        url: new URL(match[1]),
        pid: child.pid as number,
        stderrTail: () => stderr,
        async stop() {
          if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
          child.kill('SIGTERM');
          const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
          const code = await exited;
          clearTimeout(killer);
          return code;
        },
      });
    });
  });
}

export interface BuswayServerOptions {
  dataDir: string;
  /** Extra `busway serve` flags, e.g. `['--sqlite-synchronous', 'normal']`. */
  flags?: readonly string[];
  credentials: Credentials;
  nodeFlags?: readonly string[];
}

/** `busway serve --port 0` as the README runs it from source, with an access key so signatures are verified. */
export function startBusway(options: BuswayServerOptions): Promise<ChildServer> {
  return spawnServer({
    nodeFlags: options.nodeFlags ?? [],
    forwardStdout: (options.nodeFlags ?? []).length > 0,
    args: [
      'packages/cli/src/bin.ts',
      'serve',
      '--port',
      '0',
      '--data-dir',
      options.dataDir,
      ...(options.flags ?? []),
    ],
    env: {
      BUSWAY_ACCESS_KEY_ID: options.credentials.accessKeyId,
      BUSWAY_SECRET_ACCESS_KEY: options.credentials.secretAccessKey,
    },
    ready: /busway listening on (http:\/\/\S+)/,
  });
}

/**
 * Node flags for the Busway child: `--cpu-prof` into `cpuProfDir` when given (a V8 CPU profile written
 * when the server exits), then the space-separated flags of BUSWAY_BENCH_NODE_FLAGS (e.g. `--trace-gc`;
 * the child's later stdout then goes to stderr).
 */
export function serverNodeFlags(cpuProfDir: string | undefined): string[] {
  const flags =
    cpuProfDir === undefined || cpuProfDir === '' ? [] : ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`];
  const extra = process.env['BUSWAY_BENCH_NODE_FLAGS']?.trim();
  return extra ? [...flags, ...extra.split(/\s+/)] : flags;
}

/**
 * Which server was measured: the repository's HEAD commit and a SHA-256 over the paths and contents of
 * every file under packages/{patterns,server,cli}/src, so that runs on an uncommitted working tree can
 * still be told apart.
 */
export function describeSources(): string {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' });
  const hash = createHash('sha256');
  let files = 0;
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) {
        hash.update(path.slice(REPO_ROOT.length)).update('\0').update(readFileSync(path)).update('\0');
        files++;
      }
    }
  };
  for (const pkg of ['patterns', 'server', 'cli']) {
    const dir = join(REPO_ROOT, 'packages', pkg, 'src');
    if (existsSync(dir)) walk(dir);
  }
  const commit = head.status === 0 ? head.stdout.trim() : 'unknown';
  return `HEAD ${commit}; packages/{patterns,server,cli}/src: ${files} files, sha256 ${hash.digest('hex').slice(0, 16)}`;
}

// --- process and file readings --------------------------------------------------------------------------

export interface ProcessMemory {
  /** Resident set size now (VmRSS), bytes. */
  rss: number;
  /** Peak resident set size so far (VmHWM), bytes. */
  peakRss: number;
  /** The parts of VmRSS: anonymous memory (heaps, malloc), file mappings, shared memory. */
  rssAnon: number;
  rssFile: number;
  rssShmem: number;
}

/** VmRSS, VmHWM and VmRSS's parts from /proc/<pid>/status (Linux); undefined elsewhere. */
export function readProcessMemory(pid: number): ProcessMemory | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const kib = (field: string): number => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
    return match === null ? Number.NaN : Number(match[1]) * 1024;
  };
  return {
    rss: kib('VmRSS'),
    peakRss: kib('VmHWM'),
    rssAnon: kib('RssAnon'),
    rssFile: kib('RssFile'),
    rssShmem: kib('RssShmem'),
  };
}

export interface ProcessIo {
  /** Bytes passed to read-like calls (files and sockets), /proc/<pid>/io rchar. */
  rchar: number;
  /** Bytes passed to write-like calls (files and sockets), wchar. */
  wchar: number;
  /** Bytes the process caused to be written to storage, write_bytes. */
  writeBytes: number;
}

/** /proc/<pid>/io (Linux); undefined elsewhere or when not readable. */
export function readProcessIo(pid: number): ProcessIo | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/io`, 'utf8');
  } catch {
    return undefined;
  }
  const field = (name: string): number =>
    Number(new RegExp(`^${name}: (\\d+)`, 'm').exec(text)?.[1] ?? Number.NaN);
  return { rchar: field('rchar'), wchar: field('wchar'), writeBytes: field('write_bytes') };
}

export interface SqliteFiles {
  main: number;
  wal: number;
  shm: number;
}

export function sqliteFileSizes(dataDir: string): SqliteFiles {
  const size = (name: string): number => {
    const path = join(dataDir, name);
    return existsSync(path) ? statSync(path).size : 0;
  };
  return { main: size(SQLITE_FILE), wal: size(`${SQLITE_FILE}-wal`), shm: size(`${SQLITE_FILE}-shm`) };
}

export interface StoredCounts {
  events: number;
  deliveries: number;
  rules: number;
  targets: number;
}

/** Row counts read from the database file after the server stopped. */
export function readStoredCounts(dataDir: string): StoredCounts {
  const db = new Database(join(dataDir, SQLITE_FILE), { readonly: true });
  try {
    const count = (table: string): number =>
      (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    return {
      events: count('events'),
      deliveries: count('deliveries'),
      rules: count('rules'),
      targets: count('targets'),
    };
  } finally {
    db.close();
  }
}

// --- requests ---------------------------------------------------------------------------------------------

export interface PutEventsEntry {
  Source: string;
  DetailType: string;
  Detail: string;
  Resources: string[];
}

/** PutEvents entries carrying the generated envelopes' source, detail-type, resources and detail. */
export function toPutEventsEntries(envelopes: readonly string[]): PutEventsEntry[] {
  return envelopes.map((text) => {
    const event = JSON.parse(text) as {
      source: string;
      'detail-type': string;
      resources: string[];
      detail: unknown;
    };
    return {
      Source: event.source,
      DetailType: event['detail-type'],
      Detail: JSON.stringify(event.detail),
      Resources: event.resources,
    };
  });
}

/** `{"Entries":[...]}` bodies of `perRequest` entries each (to the default bus). */
export function putEventsBodies(entries: readonly PutEventsEntry[], perRequest: number): string[] {
  const bodies: string[] = [];
  for (let i = 0; i + perRequest <= entries.length; i += perRequest) {
    bodies.push(JSON.stringify({ Entries: entries.slice(i, i + perRequest) }));
  }
  return bodies;
}

export interface SignedRequest {
  body: Buffer;
  /** Lower-case names: host, content-type, x-amz-target, x-amz-date, x-amz-content-sha256, authorization. */
  headers: Record<string, string>;
}

/**
 * Signs a PutEvents request with @smithy/signature-v4 as the JS SDK v3 does for EventBridge: SigV4 for
 * service `events`, headers content-type, x-amz-target, host, x-amz-date and x-amz-content-sha256.
 */
export async function signPutEvents(
  url: URL,
  body: string,
  credentials: Credentials,
): Promise<SignedRequest> {
  const signer = new SignatureV4({ credentials, region: REGION, service: 'events', sha256: Sha256 });
  const signed = await signer.sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: '/',
    query: {},
    headers: {
      host: url.host,
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'AWSEvents.PutEvents',
    },
    body,
  });
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers)) headers[name.toLowerCase()] = String(value);
  return { body: Buffer.from(body, 'utf8'), headers };
}

/** Signed requests over a fixed set of bodies, re-signed in the background before they expire. */
export class SignedPool {
  private requests: SignedRequest[] = [];
  private next = 0;
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly url: URL,
    private readonly bodies: readonly string[],
    private readonly credentials: Credentials,
  ) {}

  static async create(url: URL, bodies: readonly string[], credentials: Credentials): Promise<SignedPool> {
    const pool = new SignedPool(url, bodies, credentials);
    await pool.sign();
    return pool;
  }

  get size(): number {
    return this.bodies.length;
  }

  /** The current signed requests (a snapshot). */
  all(): readonly SignedRequest[] {
    return this.requests;
  }

  /** The next request, in round-robin order. */
  take(): SignedRequest {
    const request = this.requests[this.next % this.requests.length] as SignedRequest;
    this.next++;
    return request;
  }

  async sign(): Promise<void> {
    this.requests = await Promise.all(
      this.bodies.map((body) => signPutEvents(this.url, body, this.credentials)),
    );
  }

  /** Re-signs every minute until stopped (signatures are good for 5 minutes). */
  keepFresh(): void {
    this.timer ??= setInterval(() => {
      void this.sign();
    }, RESIGN_EVERY_MS);
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}

export interface Answer {
  status: number;
  body: string;
}

/** Sends one request over `agent`; resolves with the status and body. */
export function send(agent: http.Agent, url: URL, request: SignedRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: '/',
        headers: { ...request.headers, 'content-length': String(request.body.length) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(request.body);
  });
}

/** Why an answer is not a fully accepted PutEvents (status, or failed entries), or undefined when it is. */
export function putEventsProblem(answer: Answer, expectedEntries: number): string | undefined {
  if (answer.status !== 200) return `HTTP ${answer.status}: ${answer.body.slice(0, 300)}`;
  try {
    const out = JSON.parse(answer.body) as { FailedEntryCount?: number; Entries?: unknown[] };
    if (out.FailedEntryCount !== 0)
      return `FailedEntryCount ${out.FailedEntryCount}: ${answer.body.slice(0, 300)}`;
    if (out.Entries?.length !== expectedEntries)
      return `${out.Entries?.length} entries answered, not ${expectedEntries}`;
  } catch {
    return `answer is not JSON: ${answer.body.slice(0, 300)}`;
  }
  return undefined;
}

export function keepAliveAgent(maxSockets: number): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
}

// --- rules ------------------------------------------------------------------------------------------------

export interface RuleSetup {
  rules: number;
  ms: number;
}

/**
 * Creates `rules` on the default bus through the AWS SDK (PutRule, then PutTargets with one SQS target
 * each), `concurrency` rules at a time.
 */
export async function createRules(
  url: URL,
  credentials: Credentials,
  rules: readonly ScalingRule[],
  concurrency: number,
  onProgress?: (done: number) => void,
): Promise<RuleSetup> {
  // The SDK's notice about future Node versions concerns the benchmark's machine, not its figures.
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  const client = new EventBridgeClient({ endpoint: url.origin, region: REGION, credentials, maxAttempts: 1 });
  const started = now();
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < rules.length) {
      const index = next++;
      const name = `bench-rule-${String(index).padStart(5, '0')}`;
      await client.send(new PutRuleCommand({ Name: name, EventPattern: (rules[index] as ScalingRule).text }));
      await client.send(new PutTargetsCommand({ Rule: name, Targets: [{ Id: 'q', Arn: TARGET_ARN }] }));
      done++;
      if (onProgress !== undefined && done % 1000 === 0) onProgress(done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, rules.length) }, worker));
  client.destroy();
  return { rules: rules.length, ms: now() - started };
}

/**
 * Deliveries the server should write per event for these entries and rules: each entry's envelope
 * (with the server's account and region) matched by the engine against every rule.
 */
export function expectedMatchesPerEvent(
  entries: readonly PutEventsEntry[],
  rules: readonly ScalingRule[],
): number {
  const matcher = createRuleMatcher<number>({ maxLength: 4096 });
  rules.forEach((rule, i) => matcher.add(i, parsePattern(rule.text, { maxLength: 4096 })));
  let matches = 0;
  for (const entry of entries) {
    const envelope =
      JSON.stringify({
        version: '0',
        id: '00000000-0000-4000-8000-000000000000',
        'detail-type': entry.DetailType,
        source: entry.Source,
        account: ACCOUNT_ID,
        time: '2026-01-05T08:00:00Z',
        region: REGION,
        resources: entry.Resources,
      }).slice(0, -1) + `,"detail":${entry.Detail}}`;
    matches += matcher.match(envelope).length;
  }
  return matches / entries.length;
}

// --- wrk --------------------------------------------------------------------------------------------------

export const WRK_INSTALL_HINT =
  'wrk is not installed. Install it with `apt-get install -y wrk` (Debian/Ubuntu), `brew install wrk` ' +
  '(macOS), or build it from https://github.com/wg/wrk, then run the benchmark again.';

/** `wrk -v`'s first line, or undefined when wrk cannot be run. */
export function wrkVersion(): string | undefined {
  const result = spawnSync('wrk', ['-v'], { encoding: 'utf8' });
  if (result.error !== undefined) return undefined;
  return `${result.stdout}${result.stderr}`.split('\n')[0]?.trim();
}

export interface WrkResult {
  seconds: number;
  /** Responses received (any status). */
  requests: number;
  /** Responses with a status other than 2xx/3xx. */
  statusErrors: number;
  socketErrors: number;
  requestsPerSecond: number;
  /** Closed-loop latency as wrk measures it, ms. */
  p50: number;
  p99: number;
  max: number;
}

/** A Lua long string that cannot be closed early by the text inside. */
function luaLongString(text: string): string {
  let level = 0;
  while (text.includes(`]${'='.repeat(level)}]`)) level++;
  const eq = '='.repeat(level);
  // A newline right after the opening bracket is dropped by Lua; the bodies never start with one.
  return `[${eq}[${text}]${eq}]`;
}

/**
 * The wrk script: every request of the pool, pre-formatted per thread and sent in round-robin order,
 * and a `done` hook that prints the summary as one JSON line.
 */
export function writeWrkScript(path: string, requests: readonly SignedRequest[]): void {
  const entries = requests.map((request) => {
    const headers = Object.entries(request.headers)
      // wrk adds Host itself unless a "Host" key exists; the value is the signed one.
      .map(
        ([name, value]) => `[ ${luaLongString(name === 'host' ? 'Host' : name)} ] = ${luaLongString(value)}`,
      )
      .join(', ');
    return `  { headers = { ${headers} }, body = ${luaLongString(request.body.toString('utf8'))} },`;
  });
  const script = `-- generated by bench/server-harness.ts: signed PutEvents requests, replayed round-robin
local pool = {
${entries.join('\n')}
}
local formatted = {}
local n = #pool
local i = 0

init = function(args)
  for k, r in ipairs(pool) do
    formatted[k] = wrk.format("POST", "/", r.headers, r.body)
  end
end

request = function()
  i = i % n + 1
  return formatted[i]
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"duration_us":%d,"requests":%d,"status":%d,"socket":%d,"p50_us":%d,"p99_us":%d,"max_us":%d}\\n',
    summary.duration, summary.requests, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
`;
  writeFileSync(path, script);
}

export interface WrkOptions {
  url: URL;
  script: string;
  connections: number;
  threads: number;
  seconds: number;
}

export function runWrk(options: WrkOptions): Promise<WrkResult> {
  return new Promise((resolve, reject) => {
    const args = [
      `-t${options.threads}`,
      `-c${options.connections}`,
      `-d${options.seconds}s`,
      '--timeout',
      '10s',
      '-s',
      options.script,
      options.url.origin + '/',
    ];
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (out += chunk));
    child.stderr.on('data', (chunk: string) => (out += chunk));
    child.once('error', reject);
    child.once('exit', (code) => {
      const line = /WRK_JSON (\{.*\})/.exec(out);
      if (code !== 0 || line === null) {
        reject(new Error(`wrk ${args.join(' ')} exited with ${code}:\n${out}`));
        return;
      }
      const s = JSON.parse(line[1] as string) as Record<string, number>;
      const seconds = (s['duration_us'] as number) / 1e6;
      resolve({
        seconds,
        requests: s['requests'] as number,
        statusErrors: s['status'] as number,
        socketErrors: s['socket'] as number,
        requestsPerSecond: (s['requests'] as number) / seconds,
        p50: (s['p50_us'] as number) / 1000,
        p99: (s['p99_us'] as number) / 1000,
        max: (s['max_us'] as number) / 1000,
      });
    });
  });
}

// --- Node load generators ---------------------------------------------------------------------------------

export interface LoadResult {
  /** Requests answered with every entry accepted. */
  ok: number;
  /** Requests that failed (status, failed entries, or a network error). */
  failed: number;
  firstProblem: string | undefined;
  elapsedMs: number;
  /** Open loop: ms from each request's scheduled send time to its answer (includes any queueing). */
  latencyMs: Float64Array;
  /** Open loop: ms from the actual send to the answer. */
  serviceMs: Float64Array;
  /** Open loop: largest delay between a request's scheduled time and its actual send, ms. */
  maxSendLagMs: number;
}

export interface OpenLoopOptions {
  url: URL;
  pool: SignedPool;
  entriesPerRequest: number;
  /** Requests per second, spaced evenly. */
  rate: number;
  seconds: number;
  /** Sent at the same rate first, not recorded. */
  warmupSeconds: number;
  maxSockets: number;
}

/**
 * An open-loop load generator: requests are scheduled at a fixed rate whatever the answers do, and
 * each request's latency counts from its scheduled time, so a slow server is not hidden by a generator
 * that waits for it (coordinated omission).
 */
export async function runOpenLoop(options: OpenLoopOptions): Promise<LoadResult> {
  const agent = keepAliveAgent(options.maxSockets);
  const interval = 1000 / options.rate;
  const warmup = Math.round(options.warmupSeconds * options.rate);
  const total = warmup + Math.round(options.seconds * options.rate);
  const measured = total - warmup;
  const latencyMs = new Float64Array(measured);
  const serviceMs = new Float64Array(measured);
  let ok = 0;
  let failed = 0;
  let firstProblem: string | undefined;
  let maxSendLagMs = 0;
  let sent = 0;
  let answered = 0;
  const start = now() + 20;
  let measureStart = 0;
  let measureEnd = 0;

  await new Promise<void>((resolve) => {
    const fire = (index: number, scheduled: number): void => {
      const sentAt = now();
      if (index >= warmup) maxSendLagMs = Math.max(maxSendLagMs, sentAt - scheduled);
      send(agent, options.url, options.pool.take()).then(
        (answer) => finish(index, scheduled, sentAt, putEventsProblem(answer, options.entriesPerRequest)),
        (error: unknown) => finish(index, scheduled, sentAt, String(error)),
      );
    };
    const finish = (index: number, scheduled: number, sentAt: number, problem: string | undefined): void => {
      const at = now();
      if (index >= warmup) {
        latencyMs[index - warmup] = at - scheduled;
        serviceMs[index - warmup] = at - sentAt;
        if (problem === undefined) ok++;
        else {
          failed++;
          firstProblem ??= problem;
        }
        measureEnd = Math.max(measureEnd, at);
      }
      if (++answered === total) resolve();
    };
    const tick = (): void => {
      const t = now();
      while (sent < total && start + sent * interval <= t) {
        if (sent === warmup) measureStart = start + sent * interval;
        fire(sent, start + sent * interval);
        sent++;
      }
      if (sent < total) setTimeout(tick, 1);
    };
    setTimeout(tick, 20);
  });
  agent.destroy();
  return {
    ok,
    failed,
    firstProblem,
    elapsedMs: measureEnd - measureStart,
    latencyMs,
    serviceMs,
    maxSendLagMs,
  };
}

export interface ClosedLoopOptions {
  url: URL;
  pool: SignedPool;
  entriesPerRequest: number;
  requests: number;
  concurrency: number;
  onProgress?: (done: number, elapsedMs: number) => void;
  progressEvery?: number;
}

/** `concurrency` requests in flight at all times until `requests` have been answered. */
export async function runClosedLoop(options: ClosedLoopOptions): Promise<LoadResult> {
  const agent = keepAliveAgent(options.concurrency);
  let next = 0;
  let ok = 0;
  let failed = 0;
  let done = 0;
  let firstProblem: string | undefined;
  const started = now();
  const worker = async (): Promise<void> => {
    while (next < options.requests) {
      next++;
      let problem: string | undefined;
      try {
        problem = putEventsProblem(
          await send(agent, options.url, options.pool.take()),
          options.entriesPerRequest,
        );
      } catch (error) {
        problem = String(error);
      }
      if (problem === undefined) ok++;
      else {
        failed++;
        firstProblem ??= problem;
      }
      done++;
      if (options.onProgress !== undefined && done % (options.progressEvery ?? 10_000) === 0) {
        options.onProgress(done, now() - started);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  agent.destroy();
  return {
    ok,
    failed,
    firstProblem,
    elapsedMs: now() - started,
    latencyMs: new Float64Array(0),
    serviceMs: new Float64Array(0),
    maxSendLagMs: 0,
  };
}

/** The value at quantile q (0..1) of `values` (sorted in place). */
export function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index] as number;
}

export function formatMiB(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

export function formatMs(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2);
}
