/**
 * `npm run bench:inbound`: inbound webhook throughput next to plain PutEvents of the same payload, in
 * one run against one Busway server (a child process started as the README starts it from source,
 * with an access key so PutEvents signatures are verified).
 *
 * wrk replays pools of requests over keep-alive connections, one mode after the other:
 * - `PutEvents`: SigV4-signed PutEvents of one entry (Source `bench.inbound`, DetailType `Bench Event`,
 *   Detail = the payload);
 * - `webhook none`: the payload POSTed to a webhook with no authentication (the webhook path's own cost);
 * - `webhook HMAC`: the same with a GitHub-style `X-Hub-Signature-256: sha256=<hex>` signature
 *   (HMAC-SHA256 over the body, verified per request);
 * - `webhook JWT`: the same with `Authorization: Bearer <RS256 JWT>` verified against a JWKS served by
 *   this process on 127.0.0.1 (fetched once by the server and cached: the JWKS counter is printed).
 * The webhooks publish the same event (fixed source and detail-type, the body as detail), so every mode
 * stores one event per request through BusService.putEvents. Ratios are requests/s over PutEvents'.
 *
 * The payloads are the details of bench/eventbridge-events.ts generated events (one per request, a pool
 * of BUSWAY_BENCH_POOL). A run fails (exit 1) only when something is wrong, never on a timing: a request
 * refused, or fewer events stored than answered.
 *
 * Knobs (env): BUSWAY_BENCH_CONNECTIONS (32), BUSWAY_BENCH_WRK_THREADS (1), BUSWAY_BENCH_SECONDS (10 per
 * measured pass), BUSWAY_BENCH_WARMUP_SECONDS (3), BUSWAY_BENCH_PASSES (2), BUSWAY_BENCH_POOL (100),
 * BUSWAY_BENCH_RULES (0 rules of generateScalingRules on the default bus), BUSWAY_BENCH_SYNC (`full`).
 */
import { createHmac, createSign, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { generateEventBridgeEvents, generateScalingRules } from './eventbridge-events.js';
import { envInt, formatInt, formatTable, median, printHeader } from './report.js';
import {
  BENCH_CREDENTIALS,
  createRules,
  describeSources,
  formatMs,
  keepAliveAgent,
  putEventsProblem,
  readStoredCounts,
  REGION,
  runWrk,
  send,
  SignedPool,
  startBusway,
  WRK_INSTALL_HINT,
  wrkVersion,
  type SignedRequest,
  type WrkResult,
} from './server-harness.js';

const CONNECTIONS = envInt('BUSWAY_BENCH_CONNECTIONS', 32);
const THREADS = envInt('BUSWAY_BENCH_WRK_THREADS', 1);
const SECONDS = envInt('BUSWAY_BENCH_SECONDS', 10);
const WARMUP_SECONDS = envInt('BUSWAY_BENCH_WARMUP_SECONDS', 3, 0);
const PASSES = envInt('BUSWAY_BENCH_PASSES', 2);
const POOL = envInt('BUSWAY_BENCH_POOL', 100);
const RULES = envInt('BUSWAY_BENCH_RULES', 0, 0);
const SYNC = process.env['BUSWAY_BENCH_SYNC'] ?? 'full';
const SOURCE = 'bench.inbound';
const DETAIL_TYPE = 'Bench Event';
const HMAC_SECRET = 'bench-webhook-secret';
const ISSUER = 'https://bench.issuer/';
const AUDIENCE = 'busway-bench';
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

// --- payloads and the JWKS ------------------------------------------------------------------------------
const payloads = generateEventBridgeEvents(POOL).map((text) =>
  JSON.stringify((JSON.parse(text) as { detail: unknown }).detail),
);
const payloadBytes = payloads.reduce((sum, p) => sum + Buffer.byteLength(p), 0) / payloads.length;
// An RS256 key pair and token made with node:crypto (the bench depends on no JOSE library of its own).
const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'bench-1', alg: 'RS256', use: 'sig' };
let jwksFetches = 0;
const jwksServer = createServer((_request, response) => {
  jwksFetches++;
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ keys: [jwk] }));
});
await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
const jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks.json`;
const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const nowSeconds = Math.floor(Date.now() / 1000);
const signingInput = `${base64url({ alg: 'RS256', kid: 'bench-1', typ: 'JWT' })}.${base64url({
  sub: 'bench-client',
  roles: ['publisher'],
  iss: ISSUER,
  aud: AUDIENCE,
  iat: nowSeconds,
  exp: nowSeconds + 7200,
})}`;
const token = `${signingInput}.${createSign('RSA-SHA256').update(signingInput).sign(privateKey).toString('base64url')}`;

const workDir = mkdtempSync(join(os.tmpdir(), 'busway-bench-inbound-'));
printHeader('Busway inbound webhooks vs PutEvents (server child process, same payloads, one run)', [
  `wrk:        ${wrk}, ${THREADS} thread(s), ${CONNECTIONS} connections, ${WARMUP_SECONDS} s warm-up, ${PASSES} x ${SECONDS} s measured per mode`,
  `payloads:   ${POOL} event details of generateEventBridgeEvents (${formatInt(payloadBytes)} bytes on average), one event per request`,
  `PutEvents:  1 entry per request, SigV4 (service events) verified; webhooks: body = detail, fixed source/detail-type`,
  `HMAC:       X-Hub-Signature-256 sha256=<hex> (GitHub style); JWT: RS256, JWKS on 127.0.0.1, iss+aud+roles checked`,
  `rules:      ${RULES} on the default bus; SQLite synchronous = ${SYNC}`,
  `sources:    ${describeSources()}`,
]);

/** Signs a Busway.* management call (service `busway`). */
async function buswayCall(
  url: URL,
  operation: string,
  input: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const body = JSON.stringify(input);
  const signer = new SignatureV4({
    credentials: BENCH_CREDENTIALS,
    region: REGION,
    service: 'busway',
    sha256: Sha256,
  });
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
      'x-amz-target': `Busway.${operation}`,
    },
    body,
  });
  const headers = { ...signed.headers } as Record<string, string>;
  delete headers['host'];
  const response = await fetch(new URL('/', url), { method: 'POST', headers, body });
  const text = await response.text();
  if (!response.ok) throw new Error(`${operation}: HTTP ${response.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** A wrk script replaying `requests` to `path` round-robin (the harness's script always posts to `/`). */
function writePathScript(file: string, path: string, requests: readonly SignedRequest[]): void {
  const long = (text: string) => {
    let level = 0;
    while (text.includes(`]${'='.repeat(level)}]`)) level++;
    return `[${'='.repeat(level)}[${text}]${'='.repeat(level)}]`;
  };
  const entries = requests.map((request) => {
    const headers = Object.entries(request.headers)
      .map(([name, value]) => `[ ${long(name === 'host' ? 'Host' : name)} ] = ${long(value)}`)
      .join(', ');
    return `  { headers = { ${headers} }, body = ${long(request.body.toString('utf8'))} },`;
  });
  writeFileSync(
    file,
    `-- generated by bench/inbound.bench.ts
local pool = {
${entries.join('\n')}
}
local formatted = {}
local n = #pool
local i = 0
init = function(args)
  for k, r in ipairs(pool) do formatted[k] = wrk.format("POST", ${long(path)}, r.headers, r.body) end
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
`,
  );
}

interface Mode {
  label: string;
  path: string;
  /** Fresh requests (PutEvents signatures expire after 5 minutes). */
  requests(): Promise<readonly SignedRequest[]>;
  /** 2xx status a single request must get before the mode is measured. */
  ok: number;
}

const rows: Array<{ label: string; passes: WrkResult[] }> = [];
const dataDir = join(workDir, 'data');
const server = await startBusway({
  dataDir,
  flags: ['--sqlite-synchronous', SYNC, '--log-level', 'warn'],
  credentials: BENCH_CREDENTIALS,
});
let answered = 0;
try {
  if (RULES > 0) await createRules(server.url, BENCH_CREDENTIALS, generateScalingRules(RULES), 8);
  const webhook = (id: string, authentication: Record<string, unknown>) =>
    buswayCall(server.url, 'CreateWebhook', {
      Id: id,
      Source: SOURCE,
      DetailType: DETAIL_TYPE,
      Authentication: authentication,
    });
  await webhook('bench-none', { Type: 'NONE' });
  await webhook('bench-hmac', {
    Type: 'HMAC',
    Header: 'X-Hub-Signature-256',
    Prefix: 'sha256=',
    Secrets: [HMAC_SECRET],
  });
  await webhook('bench-jwt', {
    Type: 'JWT',
    JwksUrl: jwksUrl,
    Issuer: ISSUER,
    Audience: [AUDIENCE],
    RoleExpression: 'roles',
    RequiredRoles: ['publisher'],
  });
  const host = server.url.host;
  const plain = (extra: (body: string) => Record<string, string>) => async () =>
    payloads.map((body) => ({
      body: Buffer.from(body),
      headers: { host, 'content-type': 'application/json', ...extra(body) },
    }));
  const putEventsBodies = payloads.map((detail) =>
    JSON.stringify({ Entries: [{ Source: SOURCE, DetailType: DETAIL_TYPE, Detail: detail }] }),
  );
  const modes: Mode[] = [
    {
      label: 'PutEvents',
      path: '/',
      ok: 200,
      requests: async () => (await SignedPool.create(server.url, putEventsBodies, BENCH_CREDENTIALS)).all(),
    },
    { label: 'webhook none', path: '/webhooks/bench-none', ok: 202, requests: plain(() => ({})) },
    {
      label: 'webhook HMAC',
      path: '/webhooks/bench-hmac',
      ok: 202,
      requests: plain((body) => ({
        'x-hub-signature-256': `sha256=${createHmac('sha256', HMAC_SECRET).update(body).digest('hex')}`,
      })),
    },
    {
      label: 'webhook JWT',
      path: '/webhooks/bench-jwt',
      ok: 202,
      requests: plain(() => ({ authorization: `Bearer ${token}` })),
    },
  ];

  const runner = (mode: Mode) => {
    const script = join(workDir, `${mode.label.replace(/\W+/g, '-')}.lua`);
    return async (seconds: number): Promise<WrkResult> => {
      writePathScript(script, mode.path, await mode.requests());
      const result = await runWrk({
        url: server.url,
        script,
        connections: CONNECTIONS,
        threads: THREADS,
        seconds,
      });
      if (result.statusErrors > 0 || result.socketErrors > 0) {
        fail(
          `${mode.label}: wrk saw ${result.statusErrors} non-2xx answers and ${result.socketErrors} socket errors`,
        );
      }
      return result;
    };
  };
  const runs = new Map<string, (seconds: number) => Promise<WrkResult>>();
  const agent = keepAliveAgent(1);
  for (const mode of modes) {
    // One request by hand: it must be accepted, and a tampered one refused.
    const [first] = await mode.requests();
    if (first === undefined) throw new Error('empty pool');
    const answer = await sendTo(mode.path, first);
    if (answer.status !== mode.ok)
      fail(`${mode.label}: answered ${answer.status}: ${answer.body.slice(0, 300)}`);
    if (mode.label === 'PutEvents') {
      const problem = putEventsProblem(answer, 1);
      if (problem !== undefined) fail(`PutEvents: ${problem}`);
    }
    answered++;
    if (mode.label === 'webhook HMAC' || mode.label === 'webhook JWT') {
      const tampered = await sendTo(mode.path, {
        ...first,
        body: Buffer.concat([first.body, Buffer.from(' ')]),
      });
      const forged =
        mode.label === 'webhook JWT'
          ? await sendTo(mode.path, {
              ...first,
              headers: { ...first.headers, authorization: `Bearer ${token}x` },
            })
          : tampered;
      if (forged.status !== 401) fail(`${mode.label}: a forged request got ${forged.status}, not 401`);
    }

    runs.set(mode.label, runner(mode));
    if (WARMUP_SECONDS > 0) {
      const warm = await runs.get(mode.label)!(WARMUP_SECONDS);
      answered += warm.requests;
      console.log(`${mode.label}: warm-up ${formatInt(warm.requestsPerSecond)} requests/s`);
    }
    rows.push({ label: mode.label, passes: [] });
  }
  // Passes go round the modes (PutEvents, none, HMAC, JWT, PutEvents, ...) so that the database growing
  // over the run, and whatever else the machine does, weighs on every mode alike.
  for (let pass = 1; pass <= PASSES; pass++) {
    for (const row of rows) {
      const result = await runs.get(row.label)!(SECONDS);
      answered += result.requests;
      row.passes.push(result);
      console.log(
        `${row.label}: pass ${pass}: ${formatInt(result.requestsPerSecond)} requests/s, ` +
          `wrk p50 ${formatMs(result.p50)} ms, p99 ${formatMs(result.p99)} ms`,
      );
    }
  }
  agent.destroy();

  function sendTo(path: string, request: SignedRequest) {
    if (path === '/') return send(agent, server.url, request);
    return new Promise<{ status: number; body: string }>((resolve, reject) => {
      void fetch(new URL(path, server.url), {
        method: 'POST',
        headers: Object.fromEntries(Object.entries(request.headers).filter(([name]) => name !== 'host')),
        body: request.body,
      })
        .then(async (response) => resolve({ status: response.status, body: await response.text() }))
        .catch(reject);
    });
  }
} finally {
  const code = await server.stop();
  if (code !== 0) fail(`the server exited with code ${code}; stderr:\n${server.stderrTail()}`);
  jwksServer.close();
}

const counts = readStoredCounts(dataDir);
if (counts.events < answered)
  fail(`${formatInt(counts.events)} events stored, but ${formatInt(answered)} requests were answered`);

console.log();
console.log('## Throughput (wrk, closed loop, one event per request)');
const base = median(
  rows.find((row) => row.label === 'PutEvents')?.passes.map((r) => r.requestsPerSecond) ?? [],
);
const table: string[][] = [
  ['mode', 'passes: requests/s', 'median requests/s', 'of PutEvents', 'wrk p50 ms', 'wrk p99 ms'],
];
for (const row of rows) {
  const rps = median(row.passes.map((r) => r.requestsPerSecond));
  table.push([
    row.label,
    row.passes.map((r) => formatInt(r.requestsPerSecond)).join(' / '),
    formatInt(rps),
    Number.isNaN(base) ? '-' : (rps / base).toFixed(3),
    formatMs(median(row.passes.map((r) => r.p50))),
    formatMs(median(row.passes.map((r) => r.p99))),
  ]);
}
for (const line of formatTable(table)) console.log(line);
console.log();
console.log(`JWKS fetched ${jwksFetches} time(s) by the server during the run (cached by jose)`);
console.log(`stored ${formatInt(counts.events)} events for ${formatInt(answered)} answered requests`);
rmSync(workDir, { recursive: true, force: true });
if (failures.length > 0) {
  console.log(`\n${failures.length} check(s) failed.`);
  process.exit(1);
}
