/**
 * `busway tail` and `busway deliveries`: commands that ask a running server (docs/observability.md).
 * Both find it with `--endpoint-url` or BUSWAY_ENDPOINT and sign with SigV4 for the service `busway`
 * (server-client.ts).
 */
import { createServerClient, ServerCallError, serverClientOptions } from './server-client.js';

export const OBSERVE_USAGE = `  tail [--bus BUS] [--pattern PATTERN] [--endpoint-url URL]
                             print events stored on a bus (default: default) as they arrive, one
                             JSON envelope per line; PATTERN is an EventBridge event pattern
  deliveries [--bus BUS] [--rule RULE] [--target ID] [--event-id ID] [--status STATUS]
             [--attempts] [--limit N] [--json] [--endpoint-url URL]
                             list deliveries and why they failed (STATUS: pending, in-flight,
                             delivered, failed, dead-lettered); --attempts shows every attempt
`;

type Flags = { values: Map<string, string>; switches: Set<string> };

/** `--name value`, `--name=value` and bare switches; an unknown flag is an error. */
function parseFlags(args: readonly string[], valued: readonly string[], switches: readonly string[]): Flags {
  const flags: Flags = { values: new Map(), switches: new Set() };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (valued.includes(name)) {
      const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
      if (value === undefined) throw new UsageError(`${name} needs a value`);
      flags.values.set(name, value);
    } else if (switches.includes(name) && eq < 0) {
      flags.switches.add(name);
    } else {
      throw new UsageError(`unknown option '${arg}'`);
    }
  }
  return flags;
}

class UsageError extends Error {}

/** Runs a command body, turning the expected failures into a message on stderr and an exit code. */
async function guarded(command: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`busway ${command}: ${error.message}\n\nUsage:\n${OBSERVE_USAGE}`);
      return 1;
    }
    if (error instanceof ServerCallError) {
      process.stderr.write(`busway ${command}: ${error.message}\n`);
      return 1;
    }
    if (error instanceof TypeError && error.message === 'fetch failed') {
      const cause = (error as { cause?: { message?: string } }).cause?.message ?? 'connection failed';
      process.stderr.write(
        `busway ${command}: cannot reach the server (${cause}); is it running? (--endpoint-url)\n`,
      );
      return 1;
    }
    throw error;
  }
}

/** `busway tail`: streams until the server ends the stream (exit 0) or the process is interrupted. */
export async function tailCommand(
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  return guarded('tail', async () => {
    const flags = parseFlags(args, ['--bus', '--pattern', '--endpoint-url'], []);
    const client = createServerClient(serverClientOptions(env, flags.values.get('--endpoint-url')));
    const query = new URLSearchParams();
    const bus = flags.values.get('--bus');
    const pattern = flags.values.get('--pattern');
    if (bus !== undefined) query.set('bus', bus);
    if (pattern !== undefined) query.set('pattern', pattern);
    const path = `/busway/tail${query.size > 0 ? `?${query.toString()}` : ''}`;
    const controller = new AbortController();
    const interrupt = (): void => controller.abort();
    process.once('SIGINT', interrupt);
    process.once('SIGTERM', interrupt);
    try {
      const response = await client.get(path, controller.signal);
      // On stderr, so stdout stays one envelope per line for pipes (jq, grep).
      process.stderr.write(
        `busway tail: tailing bus ${bus ?? 'default'} on ${client.endpoint}` +
          `${pattern === undefined ? '' : ', events matching the pattern'}; Ctrl-C to stop\n`,
      );
      if (response.body === null) return 0;
      await printEvents(response.body);
      return 0;
    } catch (error) {
      if (controller.signal.aborted) return 0;
      throw error;
    } finally {
      process.off('SIGINT', interrupt);
      process.off('SIGTERM', interrupt);
    }
  });
}

/** Prints each `event` of an SSE stream as one line; `dropped` notices go to stderr. */
async function printEvents(body: ReadableStream<Uint8Array>): Promise<void> {
  let buffer = '';
  const decoder = new TextDecoder();
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    // Blocks end with a blank line; servers may use \r\n, which a stream can split anywhere.
    buffer = buffer.replace(/\r\n?/g, '\n');
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let type = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) type = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
      }
      if (type === 'event') {
        // Line breaks inside an envelope can only be JSON whitespace: one line per event keeps it JSON.
        process.stdout.write(`${data.join(' ')}\n`);
      } else if (type === 'dropped') {
        const dropped = (JSON.parse(data.join('\n')) as { dropped?: number }).dropped ?? 0;
        process.stderr.write(
          `busway tail: the server dropped ${dropped} event(s): this client read too slowly\n`,
        );
      }
    }
  }
}

interface WireAttempt {
  Attempt: number;
  StartedAt: number;
  DurationMs: number;
  Outcome: string;
  StatusCode?: number;
  Error?: string;
  ResponseExcerpt?: string;
}

interface WireDelivery {
  DeliveryId: string;
  EventId: string;
  EventBusName: string;
  RuleName: string;
  TargetId: string;
  Status: string;
  AttemptCount: number;
  UpdatedAt: number;
  NextAttemptAt?: number;
  LastError?: string;
  Attempts?: WireAttempt[];
}

const STATUSES = ['pending', 'in-flight', 'delivered', 'failed', 'dead-lettered'];

/** `busway deliveries`: a table (or `--json`) of deliveries matching the filters, newest page last. */
export async function deliveriesCommand(
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  return guarded('deliveries', async () => {
    const flags = parseFlags(
      args,
      ['--bus', '--rule', '--target', '--event-id', '--status', '--limit', '--endpoint-url'],
      ['--attempts', '--json'],
    );
    const status = flags.values.get('--status');
    if (status !== undefined && !STATUSES.includes(status.toLowerCase().replace(/_/g, '-'))) {
      throw new UsageError(`--status must be one of ${STATUSES.join(', ')}`);
    }
    const limitText = flags.values.get('--limit') ?? '100';
    const limit = Number(limitText);
    if (!/^\d+$/.test(limitText) || limit < 1)
      throw new UsageError('--limit must be a positive whole number');
    const client = createServerClient(serverClientOptions(env, flags.values.get('--endpoint-url')));
    const filters: Record<string, unknown> = {};
    const put = (member: string, flag: string): void => {
      const value = flags.values.get(flag);
      if (value !== undefined) filters[member] = value;
    };
    put('EventBusName', '--bus');
    put('RuleName', '--rule');
    put('TargetId', '--target');
    put('EventId', '--event-id');
    if (status !== undefined) filters['Status'] = status.toUpperCase().replace(/-/g, '_');
    if (flags.switches.has('--attempts')) filters['IncludeAttempts'] = true;

    const deliveries: WireDelivery[] = [];
    let nextToken: string | undefined;
    do {
      const page = await client.call<{ Deliveries: WireDelivery[]; NextToken?: string }>('ListDeliveries', {
        ...filters,
        Limit: Math.min(100, limit - deliveries.length),
        ...(nextToken !== undefined && { NextToken: nextToken }),
      });
      deliveries.push(...page.Deliveries);
      nextToken = page.NextToken;
    } while (nextToken !== undefined && deliveries.length < limit);

    if (flags.switches.has('--json')) {
      process.stdout.write(
        `${JSON.stringify({ Deliveries: deliveries, ...(nextToken !== undefined && { NextToken: nextToken }) }, null, 2)}\n`,
      );
      return 0;
    }
    process.stdout.write(formatDeliveries(deliveries));
    if (nextToken !== undefined) {
      process.stderr.write(
        `busway deliveries: showing the first ${deliveries.length}; more match (--limit)\n`,
      );
    }
    return 0;
  });
}

const time = (seconds: number): string => new Date(seconds * 1000).toISOString();

/** Aligned columns, attempts (when present) indented under their delivery. */
export function formatDeliveries(deliveries: readonly WireDelivery[]): string {
  if (deliveries.length === 0) return 'no deliveries match\n';
  const header = [
    'DELIVERY',
    'EVENT',
    'BUS',
    'RULE',
    'TARGET',
    'STATUS',
    'ATTEMPTS',
    'UPDATED',
    'LAST ERROR',
  ];
  const rows = deliveries.map((d) => [
    d.DeliveryId,
    d.EventId,
    d.EventBusName,
    d.RuleName,
    d.TargetId,
    d.Status,
    String(d.AttemptCount),
    time(d.UpdatedAt),
    d.LastError ?? (d.NextAttemptAt !== undefined ? `next attempt ${time(d.NextAttemptAt)}` : ''),
  ]);
  const widths = header.map((title, i) =>
    Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    `${cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd()}\n`;
  let out = line(header);
  deliveries.forEach((delivery, index) => {
    out += line(rows[index] ?? []);
    for (const a of delivery.Attempts ?? []) {
      const parts = [
        `attempt ${a.Attempt}`,
        time(a.StartedAt),
        `${a.DurationMs.toFixed(1)} ms`,
        a.Outcome,
        ...(a.StatusCode !== undefined ? [`HTTP ${a.StatusCode}`] : []),
        ...(a.Error !== undefined ? [a.Error] : []),
        ...(a.ResponseExcerpt !== undefined ? [`response: ${JSON.stringify(a.ResponseExcerpt)}`] : []),
      ];
      out += `    ${parts.join('  ')}\n`;
    }
  });
  return out;
}
