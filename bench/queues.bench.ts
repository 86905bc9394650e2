/**
 * `npm run bench:queues`: throughput and long-poll wake-up latency of Busway's SQS-compatible queues,
 * with the server as a child process started the way the README starts it from source (an access key
 * set, so every SigV4 signature is verified) and the load generator, @aws-sdk/client-sqs over keep-alive
 * agents, in this process.
 *
 * Per SQLite synchronous mode (`full`, the default, then `normal`), on a fresh data directory:
 *
 * - mixed (standard queue): N producers loop on SendMessageBatch of 10 and M consumers loop on
 *   ReceiveMessage (MaxNumberOfMessages 10, WaitTimeSeconds 1) + DeleteMessageBatch of what they got,
 *   for a fixed time. messages/s sent, received and deleted are counted over that window; the backlog
 *   (GetQueueAttributes, and sent minus deleted) is read at its end. The consumers then drain the queue.
 * - mixed (FIFO queue): the same on a FIFO queue, each batch's entries spread round-robin over G
 *   message groups, with explicit deduplication ids.
 * - send only, then receive + delete only: the producers alone fill a standard queue for half that time;
 *   then the consumers alone receive and delete from it, until it is empty or the time is up (then they
 *   drain the rest, untimed).
 * - long-poll wake-up: a consumer waits (WaitTimeSeconds 20) on an empty queue; a short gap later a
 *   producer on another connection sends one message. Measured from the SendMessage call's start to the
 *   ReceiveMessage call's resolution: p50/p90/p99/max.
 *
 * Every message id a SendMessageBatch returns is tracked: after a queue drains, each must have been
 * received exactly once and deleted exactly once (the SDK also checks the MD5 of every body it sends and
 * receives), FIFO messages must arrive in sequence-number order within their group, and after the server
 * stops its database must hold no message of the drained queues. A run fails (exit 1) only on those
 * counts or on failed requests, never on a timing.
 *
 * Knobs (env): BUSWAY_BENCH_SECONDS (20, per measured phase), BUSWAY_BENCH_SEND_ONLY_SECONDS (half of
 * that: the send-only phase, which fills the queue the receive-only phase empties), BUSWAY_BENCH_PRODUCERS (4),
 * BUSWAY_BENCH_CONSUMERS (4), BUSWAY_BENCH_FIFO_GROUPS (8), BUSWAY_BENCH_BODY_BYTES (256),
 * BUSWAY_BENCH_RECEIVE_WAIT (1, WaitTimeSeconds of the throughput consumers), BUSWAY_BENCH_DRAIN_SECONDS
 * (60, the longest a drain may take), BUSWAY_BENCH_LATENCY_SAMPLES (200), BUSWAY_BENCH_LATENCY_GAP_MS
 * (50, from the long poll's start to the send), BUSWAY_BENCH_SYNC_MODES (`full,normal`),
 * BUSWAY_BENCH_PHASES (`mixed,fifo,send-receive,latency`), BUSWAY_BENCH_CPU_PROF (a folder: the server
 * children write V8 CPU profiles there; summarise them with `tsx bench/cpuprofile-top.ts FILE`),
 * BUSWAY_BENCH_NODE_FLAGS (more Node flags for the server children).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import {
  CreateQueueCommand,
  type QueueAttributeName,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
  type SendMessageBatchRequestEntry,
} from '@aws-sdk/client-sqs';
import Database from 'better-sqlite3';
import { describeMachine, envInt, formatInt, formatTable, now } from './report.js';
import {
  BENCH_CREDENTIALS,
  describeSources,
  formatMs,
  keepAliveAgent,
  quantile,
  readProcessIo,
  REGION,
  serverNodeFlags,
  SQLITE_FILE,
  startBusway,
  type ChildServer,
} from './server-harness.js';
import { readCpuSeconds, readMachineBusySeconds } from './queues-cpu.js';

const BATCH = 10;
const SECONDS = envInt('BUSWAY_BENCH_SECONDS', 20);
/** Long enough to leave more than a receive-only window can take (sends are about 3x faster). */
const SEND_ONLY_SECONDS = envInt('BUSWAY_BENCH_SEND_ONLY_SECONDS', Math.ceil(SECONDS / 2));
const PRODUCERS = envInt('BUSWAY_BENCH_PRODUCERS', 4);
const CONSUMERS = envInt('BUSWAY_BENCH_CONSUMERS', 4);
const FIFO_GROUPS = envInt('BUSWAY_BENCH_FIFO_GROUPS', 8);
const BODY_BYTES = envInt('BUSWAY_BENCH_BODY_BYTES', 256, 32);
const RECEIVE_WAIT = envInt('BUSWAY_BENCH_RECEIVE_WAIT', 1, 0);
const DRAIN_SECONDS = envInt('BUSWAY_BENCH_DRAIN_SECONDS', 60);
const LATENCY_SAMPLES = envInt('BUSWAY_BENCH_LATENCY_SAMPLES', 200, 0);
const LATENCY_GAP_MS = envInt('BUSWAY_BENCH_LATENCY_GAP_MS', 50, 0);
const LATENCY_WARMUP = 5;
const LONG_POLL_SECONDS = 20;
const CPU_PROF_DIR = process.env['BUSWAY_BENCH_CPU_PROF'];

function envList(name: string, fallback: string, allowed: readonly string[]): string[] {
  const values = (process.env[name] ?? fallback)
    .split(',')
    .map((value) => value.trim())
    .filter((value) => value !== '');
  for (const value of values) {
    if (!allowed.includes(value))
      throw new Error(`${name}: unknown value ${value} (known: ${allowed.join(', ')})`);
  }
  return values;
}
const SYNC_MODES = envList('BUSWAY_BENCH_SYNC_MODES', 'full,normal', ['full', 'normal']);
const PHASES = new Set(
  envList('BUSWAY_BENCH_PHASES', 'mixed,fifo,send-receive,latency', [
    'mixed',
    'fifo',
    'send-receive',
    'latency',
  ]),
);

// The SDK's notice about future Node versions concerns the benchmark's machine, not its figures.
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

const failures: string[] = [];
const fail = (message: string): void => {
  failures.push(message);
  console.log(`FAILED: ${message}`);
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const errorText = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 300) : String(error).slice(0, 300);

function sqsClient(url: URL, sockets: number): SQSClient {
  return new SQSClient({
    endpoint: url.origin,
    region: REGION,
    credentials: { ...BENCH_CREDENTIALS },
    // Every failure is counted, none retried.
    maxAttempts: 1,
    requestHandler: { httpAgent: keepAliveAgent(sockets), requestTimeout: (LONG_POLL_SECONDS + 10) * 1000 },
  });
}

// --- bookkeeping ------------------------------------------------------------------------------------------

/** What happened to every message id of one queue, and the calls' counts and times. */
class Ledger {
  /** id -> times a send returned it (1). */
  readonly sent = new Map<string, number>();
  /** id -> times a receive returned it. */
  readonly received = new Map<string, number>();
  /** id -> successful DeleteMessageBatch entries for it. */
  readonly deleted = new Map<string, number>();
  /** Counters of messages, not ids (a duplicate counts twice). */
  sentCount = 0;
  receivedCount = 0;
  deletedCount = 0;
  emptyReceives = 0;
  requestErrors = 0;
  failedEntries = 0;
  firstProblem: string | undefined;
  /** FIFO: the last sequence number received per group, and the order violations seen. */
  readonly lastSequence = new Map<string, bigint>();
  orderViolations = 0;
  /** Call latencies in ms, recorded while `recording` is true. */
  recording = true;
  readonly sendMs: number[] = [];
  readonly receiveMs: number[] = [];
  readonly deleteMs: number[] = [];

  problem(text: string): void {
    this.firstProblem ??= text;
  }

  /** Every id sent has a successful delete, and nothing else is still expected. */
  drained(): boolean {
    return this.deleted.size >= this.sent.size;
  }
}

const bump = (map: Map<string, number>, id: string): void => {
  map.set(id, (map.get(id) ?? 0) + 1);
};

interface Counts {
  sent: number;
  received: number;
  deleted: number;
  emptyReceives: number;
}
const countsOf = (ledger: Ledger): Counts => ({
  sent: ledger.sentCount,
  received: ledger.receivedCount,
  deleted: ledger.deletedCount,
  emptyReceives: ledger.emptyReceives,
});

// --- producers and consumers ------------------------------------------------------------------------------

interface QueueTarget {
  url: string;
  fifo: boolean;
}

const padding = 'x'.repeat(BODY_BYTES);
function bodyOf(producer: number, seq: number): string {
  const head = `{"producer":${producer},"seq":${seq},"pad":"`;
  return head + padding.slice(0, Math.max(0, BODY_BYTES - head.length - 2)) + '"}';
}

async function producer(
  client: SQSClient,
  queue: QueueTarget,
  ledger: Ledger,
  index: number,
  stop: () => boolean,
): Promise<void> {
  let seq = 0;
  while (!stop()) {
    const entries: SendMessageBatchRequestEntry[] = [];
    for (let i = 0; i < BATCH; i++, seq++) {
      entries.push({
        Id: String(i),
        MessageBody: bodyOf(index, seq),
        ...(queue.fifo
          ? {
              MessageGroupId: `group-${(index + seq) % FIFO_GROUPS}`,
              MessageDeduplicationId: `p${index}-${seq}`,
            }
          : {}),
      });
    }
    const started = now();
    try {
      const out = await client.send(new SendMessageBatchCommand({ QueueUrl: queue.url, Entries: entries }));
      if (ledger.recording) ledger.sendMs.push(now() - started);
      for (const entry of out.Successful ?? []) {
        bump(ledger.sent, entry.MessageId as string);
        ledger.sentCount++;
      }
      if ((out.Failed ?? []).length > 0) {
        ledger.failedEntries += out.Failed!.length;
        ledger.problem(`SendMessageBatch entry failed: ${JSON.stringify(out.Failed![0])}`);
      }
    } catch (error) {
      ledger.requestErrors++;
      ledger.problem(`SendMessageBatch: ${errorText(error)}`);
      await sleep(100);
    }
  }
}

async function consumer(
  client: SQSClient,
  queue: QueueTarget,
  ledger: Ledger,
  stop: () => boolean,
  onDelete: () => void,
): Promise<void> {
  while (!stop()) {
    const started = now();
    let messages;
    try {
      const out = await client.send(
        new ReceiveMessageCommand({
          QueueUrl: queue.url,
          MaxNumberOfMessages: BATCH,
          WaitTimeSeconds: RECEIVE_WAIT,
          ...(queue.fifo ? { MessageSystemAttributeNames: ['SequenceNumber', 'MessageGroupId'] } : {}),
        }),
      );
      messages = out.Messages ?? [];
    } catch (error) {
      ledger.requestErrors++;
      ledger.problem(`ReceiveMessage: ${errorText(error)}`);
      await sleep(100);
      continue;
    }
    if (messages.length === 0) {
      ledger.emptyReceives++;
      continue;
    }
    if (ledger.recording) ledger.receiveMs.push(now() - started);
    for (const message of messages) {
      bump(ledger.received, message.MessageId as string);
      ledger.receivedCount++;
      if (queue.fifo) {
        const group = message.Attributes?.MessageGroupId ?? '?';
        const sequence = BigInt(message.Attributes?.SequenceNumber ?? '0');
        const last = ledger.lastSequence.get(group);
        if (last !== undefined && sequence <= last) {
          ledger.orderViolations++;
          ledger.problem(`FIFO order: ${group} gave sequence ${sequence} after ${last}`);
        }
        ledger.lastSequence.set(group, sequence);
      }
    }
    const deleteStarted = now();
    try {
      const out = await client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queue.url,
          Entries: messages.map((message, i) => ({ Id: String(i), ReceiptHandle: message.ReceiptHandle })),
        }),
      );
      if (ledger.recording) ledger.deleteMs.push(now() - deleteStarted);
      for (const entry of out.Successful ?? []) {
        bump(ledger.deleted, messages[Number(entry.Id)]?.MessageId as string);
        ledger.deletedCount++;
      }
      if ((out.Failed ?? []).length > 0) {
        ledger.failedEntries += out.Failed!.length;
        ledger.problem(`DeleteMessageBatch entry failed: ${JSON.stringify(out.Failed![0])}`);
      }
    } catch (error) {
      ledger.requestErrors++;
      ledger.problem(`DeleteMessageBatch: ${errorText(error)}`);
    }
    onDelete();
  }
}

// --- phases -----------------------------------------------------------------------------------------------

interface Backlog {
  visible: number;
  inFlight: number;
  delayed: number;
}

async function readBacklog(client: SQSClient, url: string): Promise<Backlog> {
  const out = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  const attribute = (name: QueueAttributeName): number => Number(out.Attributes?.[name] ?? Number.NaN);
  return {
    visible: attribute('ApproximateNumberOfMessages'),
    inFlight: attribute('ApproximateNumberOfMessagesNotVisible'),
    delayed: attribute('ApproximateNumberOfMessagesDelayed'),
  };
}

interface PhaseResult {
  label: string;
  producers: number;
  consumers: number;
  /** The measured window, s (shorter than SECONDS when a receive-only phase emptied the queue). */
  windowSeconds: number;
  window: Counts;
  /** Read right at the window's end. */
  backlog: Backlog;
  /** Sent minus deleted at the window's end (messages, by this process's count). */
  backlogCounted: number;
  /** Time the consumers then took to empty the queue, s (NaN: no drain in this phase). */
  drainSeconds: number;
  serverCpu: number;
  clientCpu: number;
  /** CPU used by every other process meanwhile (machine busy time minus server and client), cores. */
  otherCpu: number;
  writeBytesPerMessage: number;
  sendMs: number[];
  receiveMs: number[];
  deleteMs: number[];
}

interface PhaseOptions {
  label: string;
  server: ChildServer;
  queue: QueueTarget;
  ledger: Ledger;
  producers: number;
  consumers: number;
  /** After the window, keep the consumers running until every sent id is deleted (or DRAIN_SECONDS). */
  drain: boolean;
  /** The window also ends when the queue is drained (receive-only). */
  endWhenDrained: boolean;
  seconds: number;
}

async function runPhase(options: PhaseOptions): Promise<PhaseResult> {
  const { ledger, queue } = options;
  const producerClient = sqsClient(options.server.url, options.producers + 1);
  const consumerClient = sqsClient(options.server.url, options.consumers + 1);
  const adminClient = sqsClient(options.server.url, 2);
  ledger.recording = true;
  ledger.sendMs.length = 0;
  ledger.receiveMs.length = 0;
  ledger.deleteMs.length = 0;

  let stopSending = false;
  let stopReceiving = false;
  let producersDone = options.producers === 0;
  let drainedAt = Number.NaN;
  let onDrained: () => void = () => {};
  const drained = new Promise<void>((resolve) => (onDrained = resolve));
  const checkDrained = (): void => {
    if (producersDone && Number.isNaN(drainedAt) && ledger.drained()) {
      drainedAt = now();
      onDrained();
    }
  };

  const before = countsOf(ledger);
  const cpuBefore = readCpuSeconds(options.server.pid);
  const machineBefore = readMachineBusySeconds();
  const clientBefore = process.cpuUsage();
  const ioBefore = readProcessIo(options.server.pid);
  const started = now();
  const producing = Promise.all(
    Array.from({ length: options.producers }, (_, i) =>
      producer(producerClient, queue, ledger, i, () => stopSending),
    ),
  ).then(() => {
    producersDone = true;
    checkDrained();
  });
  const consuming = Promise.all(
    Array.from({ length: options.consumers }, () =>
      consumer(consumerClient, queue, ledger, () => stopReceiving, checkDrained),
    ),
  );

  let windowTimer: NodeJS.Timeout | undefined;
  await Promise.race([
    new Promise<void>((resolve) => (windowTimer = setTimeout(resolve, options.seconds * 1000))),
    ...(options.endWhenDrained ? [drained] : []),
  ]);
  clearTimeout(windowTimer);
  const windowEnd = now();
  const after = countsOf(ledger);
  const cpuAfter = readCpuSeconds(options.server.pid);
  const machineAfter = readMachineBusySeconds();
  const clientAfter = process.cpuUsage(clientBefore);
  const ioAfter = readProcessIo(options.server.pid);
  ledger.recording = false;
  stopSending = true;
  const backlog = await readBacklog(adminClient, queue.url);
  const backlogCounted = after.sent - after.deleted;

  await producing;
  let drainSeconds = Number.NaN;
  if (options.drain && options.consumers > 0) {
    checkDrained();
    let drainTimer: NodeJS.Timeout | undefined;
    await Promise.race([
      drained,
      new Promise<void>((resolve) => (drainTimer = setTimeout(resolve, DRAIN_SECONDS * 1000))),
    ]);
    clearTimeout(drainTimer);
    drainSeconds = Number.isNaN(drainedAt) ? Number.NaN : Math.max(0, drainedAt - windowEnd) / 1000;
    if (Number.isNaN(drainedAt)) {
      fail(`${options.label}: the queue did not drain within ${DRAIN_SECONDS} s`);
    }
  }
  stopReceiving = true;
  await consuming;
  for (const client of [producerClient, consumerClient, adminClient]) client.destroy();

  const windowSeconds = (windowEnd - started) / 1000;
  const messagesInWindow = after.sent - before.sent + (after.deleted - before.deleted);
  return {
    label: options.label,
    producers: options.producers,
    consumers: options.consumers,
    windowSeconds,
    window: {
      sent: after.sent - before.sent,
      received: after.received - before.received,
      deleted: after.deleted - before.deleted,
      emptyReceives: after.emptyReceives - before.emptyReceives,
    },
    backlog,
    backlogCounted,
    drainSeconds,
    serverCpu:
      cpuBefore !== undefined && cpuAfter !== undefined ? (cpuAfter - cpuBefore) / windowSeconds : Number.NaN,
    clientCpu: (clientAfter.user + clientAfter.system) / 1e6 / windowSeconds,
    otherCpu: otherCpu(machineBefore, machineAfter, cpuBefore, cpuAfter, clientAfter, windowSeconds),
    writeBytesPerMessage:
      ioBefore && ioAfter && messagesInWindow > 0
        ? (ioAfter.writeBytes - ioBefore.writeBytes) / messagesInWindow
        : Number.NaN,
    sendMs: [...ledger.sendMs],
    receiveMs: [...ledger.receiveMs],
    deleteMs: [...ledger.deleteMs],
  };
}

/** Machine busy time minus the server's and this process's CPU, per second of the window. */
function otherCpu(
  machineBefore: number | undefined,
  machineAfter: number | undefined,
  serverBefore: number | undefined,
  serverAfter: number | undefined,
  client: NodeJS.CpuUsage,
  seconds: number,
): number {
  if ([machineBefore, machineAfter, serverBefore, serverAfter].includes(undefined)) return Number.NaN;
  const machine = (machineAfter as number) - (machineBefore as number);
  const server = (serverAfter as number) - (serverBefore as number);
  return Math.max(0, machine - server - (client.user + client.system) / 1e6) / seconds;
}

/** Checks a drained queue's ledger: every sent id received once and deleted once, nothing unknown. */
function verify(label: string, ledger: Ledger, fifo: boolean): string {
  let sentTwice = 0;
  let neverReceived = 0;
  let receivedTwice = 0;
  let notDeleted = 0;
  let deletedTwice = 0;
  for (const [id, times] of ledger.sent) {
    if (times > 1) sentTwice++;
    const received = ledger.received.get(id) ?? 0;
    if (received === 0) neverReceived++;
    if (received > 1) receivedTwice++;
    const deleted = ledger.deleted.get(id) ?? 0;
    if (deleted === 0) notDeleted++;
    if (deleted > 1) deletedTwice++;
  }
  let unknown = 0;
  for (const id of ledger.received.keys()) if (!ledger.sent.has(id)) unknown++;
  const summary =
    `${formatInt(ledger.sent.size)} ids sent; ${formatInt(ledger.received.size)} received, ` +
    `${receivedTwice} more than once, ${neverReceived} never; ${formatInt(ledger.deleted.size)} deleted, ` +
    `${deletedTwice} more than once, ${notDeleted} never; ${unknown} received but never sent; ` +
    `${ledger.requestErrors} failed requests, ${ledger.failedEntries} failed batch entries` +
    (fifo ? `; ${ledger.orderViolations} FIFO order violations over ${ledger.lastSequence.size} groups` : '');
  const bad =
    sentTwice +
    neverReceived +
    receivedTwice +
    notDeleted +
    deletedTwice +
    unknown +
    ledger.requestErrors +
    ledger.failedEntries +
    ledger.orderViolations;
  if (bad > 0) fail(`${label}: ${summary}${ledger.firstProblem ? ` (first: ${ledger.firstProblem})` : ''}`);
  return summary;
}

// --- long-poll wake-up ------------------------------------------------------------------------------------

interface LatencyResult {
  /** Send call start -> receive resolved. */
  wakeMs: Float64Array;
  /** Send call start -> send resolved. */
  sendMs: Float64Array;
  /** Send resolved -> receive resolved (negative: the receive answered first). */
  afterAckMs: Float64Array;
  misses: number;
  serverCpu: number;
  otherCpu: number;
}

async function measureWakeUp(server: ChildServer, queueUrl: string): Promise<LatencyResult> {
  const waiterClient = sqsClient(server.url, 2);
  const senderClient = sqsClient(server.url, 2);
  const wake: number[] = [];
  const sendCall: number[] = [];
  const afterAck: number[] = [];
  let misses = 0;
  const cpuBefore = readCpuSeconds(server.pid);
  const machineBefore = readMachineBusySeconds();
  const clientBefore = process.cpuUsage();
  const started = now();
  for (let i = 0; i < LATENCY_WARMUP + LATENCY_SAMPLES; i++) {
    const receiving = waiterClient.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 1,
        WaitTimeSeconds: LONG_POLL_SECONDS,
      }),
    );
    let receivedAt = Number.NaN;
    const received = receiving.then((out) => {
      receivedAt = now();
      return out;
    });
    await sleep(LATENCY_GAP_MS);
    const sendStart = now();
    const sent = await senderClient.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: bodyOf(0, i) }),
    );
    const sendEnd = now();
    const out = await received;
    const message = out.Messages?.[0];
    if (message === undefined || message.MessageId !== sent.MessageId) {
      misses++;
      fail(`long poll ${i}: received ${message?.MessageId ?? 'nothing'}, sent ${sent.MessageId}`);
      continue;
    }
    await waiterClient.send(
      new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
    );
    if (i < LATENCY_WARMUP) continue;
    wake.push(receivedAt - sendStart);
    sendCall.push(sendEnd - sendStart);
    afterAck.push(receivedAt - sendEnd);
  }
  const cpuAfter = readCpuSeconds(server.pid);
  const machineAfter = readMachineBusySeconds();
  const client = process.cpuUsage(clientBefore);
  const seconds = (now() - started) / 1000;
  waiterClient.destroy();
  senderClient.destroy();
  const sorted = (values: number[]): Float64Array => Float64Array.from(values).sort();
  return {
    wakeMs: sorted(wake),
    sendMs: sorted(sendCall),
    afterAckMs: sorted(afterAck),
    misses,
    serverCpu:
      cpuBefore !== undefined && cpuAfter !== undefined ? (cpuAfter - cpuBefore) / seconds : Number.NaN,
    otherCpu: otherCpu(machineBefore, machineAfter, cpuBefore, cpuAfter, client, seconds),
  };
}

// --- the run ----------------------------------------------------------------------------------------------

const percentiles = (values: readonly number[] | Float64Array): string => {
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) return '-';
  return `${formatMs(quantile(sorted, 0.5))} / ${formatMs(quantile(sorted, 0.99))}`;
};
const rate = (count: number, seconds: number): string => formatInt(count / seconds);
const percent = (share: number): string => (Number.isNaN(share) ? '-' : `${Math.round(share * 100)}%`);

const workDir = mkdtempSync(join(os.tmpdir(), 'busway-bench-queues-'));
const runStarted = now();

console.log(
  '# Busway SQS-compatible queues: throughput and long-poll wake-up (server child process, SigV4-verified)',
);
console.log(`# started ${new Date().toISOString()}`);
for (const line of describeMachine()) console.log(`# ${line}`);
for (const line of [
  `client:     @aws-sdk/client-sqs in the parent process, keep-alive http.Agent per role, maxAttempts 1 (no retries)`,
  `throughput: ${PRODUCERS} producers (SendMessageBatch of ${BATCH}), ${CONSUMERS} consumers (ReceiveMessage MaxNumberOfMessages ${BATCH}, WaitTimeSeconds ${RECEIVE_WAIT}, then DeleteMessageBatch), ${SECONDS} s per phase (send only: ${SEND_ONLY_SECONDS} s), drains up to ${DRAIN_SECONDS} s`,
  `messages:   ${BODY_BYTES}-byte bodies, no attributes; FIFO: ${FIFO_GROUPS} message groups (round-robin per entry), explicit deduplication ids`,
  `wake-up:    ${LATENCY_SAMPLES} samples after ${LATENCY_WARMUP} unrecorded; ReceiveMessage WaitTimeSeconds ${LONG_POLL_SECONDS} on an empty queue, SendMessage ${LATENCY_GAP_MS} ms later on another connection`,
  `phases:     ${[...PHASES].join(', ')}`,
  `SQLite:     synchronous = ${SYNC_MODES.join(', then ')} (WAL), one fresh data directory per mode under ${workDir}`,
  `sources:    ${describeSources()}`,
  `server:     node ${[...serverNodeFlags(CPU_PROF_DIR), ''].join(' ')}--conditions=source --import tsx packages/cli/src/bin.ts serve --port 0 --data-dir DIR --log-level warn --sqlite-synchronous MODE, BUSWAY_ACCESS_KEY_ID set`,
]) {
  console.log(`# ${line}`);
}
console.log('#   (no timing is asserted; the load generator shares the machine with the server)');
console.log();

interface ModeResult {
  mode: string;
  phases: PhaseResult[];
  checks: string[];
  latency: LatencyResult | undefined;
  leftovers: string;
}
const results: ModeResult[] = [];

for (const mode of SYNC_MODES) {
  const dataDir = join(workDir, mode);
  const server = await startBusway({
    dataDir,
    credentials: BENCH_CREDENTIALS,
    flags: ['--log-level', 'warn', '--sqlite-synchronous', mode],
    nodeFlags: serverNodeFlags(CPU_PROF_DIR),
  });
  console.log(`sync=${mode}: server pid ${server.pid} at ${server.url.origin}`);
  const admin = sqsClient(server.url, 2);
  const createQueue = async (name: string, fifo: boolean): Promise<QueueTarget> => {
    const out = await admin.send(
      new CreateQueueCommand({ QueueName: name, Attributes: fifo ? { FifoQueue: 'true' } : {} }),
    );
    return { url: out.QueueUrl as string, fifo };
  };
  const result: ModeResult = { mode, phases: [], checks: [], latency: undefined, leftovers: '' };
  const drainedQueues: string[] = [];
  const report = (phase: PhaseResult): void => {
    result.phases.push(phase);
    const w = phase.window;
    console.log(
      `sync=${mode} ${phase.label}: ${phase.windowSeconds.toFixed(1)} s: sent ${rate(w.sent, phase.windowSeconds)}/s, ` +
        `received ${rate(w.received, phase.windowSeconds)}/s, deleted ${rate(w.deleted, phase.windowSeconds)}/s; ` +
        `backlog at the end ${formatInt(phase.backlog.visible)} visible + ${formatInt(phase.backlog.inFlight)} in flight ` +
        `(counted ${formatInt(phase.backlogCounted)})` +
        (Number.isNaN(phase.drainSeconds) ? '' : `, drained in ${phase.drainSeconds.toFixed(1)} s`) +
        `; server CPU ${percent(phase.serverCpu)}, client CPU ${percent(phase.clientCpu)}, other processes ${percent(phase.otherCpu)}`,
    );
  };
  try {
    if (PHASES.has('mixed')) {
      const queue = await createQueue('bench-standard', false);
      const ledger = new Ledger();
      report(
        await runPhase({
          label: 'standard send+receive+delete',
          server,
          queue,
          ledger,
          producers: PRODUCERS,
          consumers: CONSUMERS,
          drain: true,
          endWhenDrained: false,
          seconds: SECONDS,
        }),
      );
      result.checks.push(`standard send+receive+delete: ${verify(`sync=${mode} standard`, ledger, false)}`);
      drainedQueues.push('bench-standard');
    }
    if (PHASES.has('fifo')) {
      const queue = await createQueue('bench-fifo.fifo', true);
      const ledger = new Ledger();
      report(
        await runPhase({
          label: `FIFO (${FIFO_GROUPS} groups) send+receive+delete`,
          server,
          queue,
          ledger,
          producers: PRODUCERS,
          consumers: CONSUMERS,
          drain: true,
          endWhenDrained: false,
          seconds: SECONDS,
        }),
      );
      result.checks.push(`FIFO send+receive+delete: ${verify(`sync=${mode} FIFO`, ledger, true)}`);
      drainedQueues.push('bench-fifo.fifo');
    }
    if (PHASES.has('send-receive')) {
      const queue = await createQueue('bench-prefilled', false);
      const ledger = new Ledger();
      report(
        await runPhase({
          label: 'standard send only',
          server,
          queue,
          ledger,
          producers: PRODUCERS,
          consumers: 0,
          drain: false,
          endWhenDrained: false,
          seconds: SEND_ONLY_SECONDS,
        }),
      );
      report(
        await runPhase({
          label: 'standard receive+delete only',
          server,
          queue,
          ledger,
          producers: 0,
          consumers: CONSUMERS,
          drain: true,
          endWhenDrained: true,
          seconds: SECONDS,
        }),
      );
      result.checks.push(
        `send only, then receive+delete only: ${verify(`sync=${mode} prefilled`, ledger, false)}`,
      );
      drainedQueues.push('bench-prefilled');
    }
    if (PHASES.has('latency') && LATENCY_SAMPLES > 0) {
      const queue = await createQueue('bench-long-poll', false);
      result.latency = await measureWakeUp(server, queue.url);
      const l = result.latency;
      console.log(
        `sync=${mode} long-poll wake-up: p50 ${formatMs(quantile(l.wakeMs, 0.5))} ms, p90 ${formatMs(quantile(l.wakeMs, 0.9))}, ` +
          `p99 ${formatMs(quantile(l.wakeMs, 0.99))}, max ${formatMs(quantile(l.wakeMs, 1))}; ` +
          `SendMessage call p50 ${formatMs(quantile(l.sendMs, 0.5))} ms`,
      );
      drainedQueues.push('bench-long-poll');
    }
  } finally {
    admin.destroy();
    const code = await server.stop();
    if (code !== 0)
      fail(`sync=${mode}: the server exited with code ${code}; stderr:\n${server.stderrTail()}`);
  }
  // What the database still holds, read after the server stopped.
  const db = new Database(join(dataDir, SQLITE_FILE), { readonly: true });
  try {
    const rows = db
      .prepare('SELECT queue_name AS name, count(*) AS n FROM queue_messages GROUP BY queue_name')
      .all() as { name: string; n: number }[];
    const left = drainedQueues.map((name) => `${name} ${rows.find((row) => row.name === name)?.n ?? 0}`);
    result.leftovers = left.join(', ');
    for (const row of rows) {
      if (drainedQueues.includes(row.name) && row.n > 0) {
        fail(`sync=${mode}: ${row.n} messages left in drained queue ${row.name}`);
      }
    }
  } finally {
    db.close();
  }
  results.push(result);
  console.log();
}

// --- summary ----------------------------------------------------------------------------------------------

console.log('## Throughput (messages/s over the measured window; call latency p50 / p99 in ms)');
console.log();
const rows: string[][] = [
  [
    'sync',
    'phase',
    'P',
    'C',
    'window s',
    'sent/s',
    'received/s',
    'deleted/s',
    'backlog at end',
    'drain s',
    'send ms',
    'receive ms',
    'delete ms',
    'empty receives',
    'server CPU',
    'client CPU',
    'other CPU',
    'disk B/msg',
  ],
];
for (const result of results) {
  for (const phase of result.phases) {
    const w = phase.window;
    rows.push([
      result.mode,
      phase.label,
      String(phase.producers),
      String(phase.consumers),
      phase.windowSeconds.toFixed(1),
      phase.producers > 0 ? rate(w.sent, phase.windowSeconds) : '-',
      phase.consumers > 0 ? rate(w.received, phase.windowSeconds) : '-',
      phase.consumers > 0 ? rate(w.deleted, phase.windowSeconds) : '-',
      `${formatInt(phase.backlog.visible + phase.backlog.inFlight)} (${formatInt(phase.backlog.inFlight)} in flight)`,
      Number.isNaN(phase.drainSeconds) ? '-' : phase.drainSeconds.toFixed(1),
      percentiles(phase.sendMs),
      percentiles(phase.receiveMs),
      percentiles(phase.deleteMs),
      formatInt(w.emptyReceives),
      percent(phase.serverCpu),
      percent(phase.clientCpu),
      percent(phase.otherCpu),
      Number.isNaN(phase.writeBytesPerMessage) ? '-' : formatInt(phase.writeBytesPerMessage),
    ]);
  }
}
for (const line of formatTable(rows)) console.log(line);
console.log();
console.log(
  'sent/s counts messages whose SendMessageBatch answered inside the window; received/s and deleted/s count',
);
console.log(
  'messages. "disk B/msg" is the server\'s /proc write_bytes over the window divided by messages sent + deleted.',
);
console.log(
  'CPU columns are in % of one core: the server child, this process (the SDK clients), and every other process.',
);
console.log();

if (results.some((result) => result.latency !== undefined)) {
  console.log(
    "## Long-poll wake-up (ms from the SendMessage call's start to the waiting ReceiveMessage's answer)",
  );
  console.log();
  const latencyRows: string[][] = [
    [
      'sync',
      'samples',
      'p50',
      'p90',
      'p99',
      'max',
      'SendMessage call p50',
      'p99',
      'after send answered p50',
      'server CPU',
      'other CPU',
    ],
  ];
  for (const result of results) {
    const l = result.latency;
    if (l === undefined) continue;
    latencyRows.push([
      result.mode,
      String(l.wakeMs.length),
      formatMs(quantile(l.wakeMs, 0.5)),
      formatMs(quantile(l.wakeMs, 0.9)),
      formatMs(quantile(l.wakeMs, 0.99)),
      formatMs(quantile(l.wakeMs, 1)),
      formatMs(quantile(l.sendMs, 0.5)),
      formatMs(quantile(l.sendMs, 0.99)),
      formatMs(quantile(l.afterAckMs, 0.5)),
      percent(l.serverCpu),
      percent(l.otherCpu),
    ]);
  }
  for (const line of formatTable(latencyRows)) console.log(line);
  console.log();
}

console.log('## Checks');
console.log();
for (const result of results) {
  for (const check of result.checks) console.log(`sync=${result.mode} ${check}`);
  console.log(
    `sync=${result.mode} messages left in the database after the server stopped: ${result.leftovers || '-'}`,
  );
}
console.log();
console.log(`run took ${((now() - runStarted) / 1000).toFixed(0)} s`);
rmSync(workDir, { recursive: true, force: true });

if (failures.length > 0) {
  console.log(`${failures.length} check(s) FAILED`);
  process.exit(1);
}
