/**
 * `busway archives list|describe|create|delete` and `busway replay start|status|cancel`: calls to the
 * running server's EventBridge API with the AWS SDK v3 (the same endpoint and credentials as the other
 * server commands, see server-client.ts), and `Busway.GetReplayProgress` for the progress bar's counts.
 */
import {
  CancelReplayCommand,
  CreateArchiveCommand,
  DeleteArchiveCommand,
  DescribeArchiveCommand,
  DescribeReplayCommand,
  EventBridgeClient,
  ListArchivesCommand,
  StartReplayCommand,
} from '@aws-sdk/client-eventbridge';
import { createServerClient, serverClientOptions, type ServerClient } from './server-client.js';

export const ARCHIVE_USAGE = `  archives list [--bus BUS]   list archives with their event counts and sizes
  archives describe <NAME>    show one archive
  archives create <NAME> [--bus BUS] [--pattern JSON] [--retention-days N] [--description TEXT]
                             archive the events of BUS (default: default) that match the pattern
  archives delete <NAME>      delete an archive and its events
  replay start <NAME> --archive ARCHIVE --from TIME --to TIME [--rule RULE ...] [--no-wait]
                             replay an archive's events of a time window (ISO 8601 or epoch seconds)
                             to its bus (only to the named rules with --rule); shows progress
  replay status <NAME> [--watch]
                             show a replay (with --watch: a progress bar until it ends)
  replay cancel <NAME>        cancel a running replay
  (these talk to a running server: --endpoint-url URL or BUSWAY_ENDPOINT, default http://127.0.0.1:4010)
`;

type Progress = { update(done: number, total: number): void; finish(): void };

interface Flags {
  positional: string[];
  values: Map<string, string[]>;
}

function parseFlags(args: readonly string[]): Flags {
  const positional: string[] = [];
  const values = new Map<string, string[]>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg.startsWith('--')) {
      const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
      const boolean = name === 'watch' || name === 'no-wait';
      const value = inline ?? (boolean ? 'true' : (args[++i] ?? ''));
      values.set(name, [...(values.get(name) ?? []), value]);
    } else positional.push(arg);
  }
  return { positional, values };
}

const one = (flags: Flags, name: string): string | undefined => flags.values.get(name)?.at(-1);

function parseTime(text: string | undefined, flag: string): Date {
  if (text === undefined) throw new UsageError(`replay start needs --${flag} TIME`);
  const date = /^\d+(\.\d+)?$/.test(text) ? new Date(Number(text) * 1000) : new Date(text);
  if (Number.isNaN(date.getTime()))
    throw new UsageError(`--${flag} ${text} is not a time (ISO 8601 or epoch seconds)`);
  return date;
}

class UsageError extends Error {}

interface Context {
  events: EventBridgeClient;
  server: ServerClient;
  region: string;
  account: string;
}

async function context(endpointFlag: string | undefined): Promise<Context> {
  const options = serverClientOptions(process.env, endpointFlag);
  const events = new EventBridgeClient({
    endpoint: options.endpoint,
    region: options.region,
    credentials: options.credentials,
    maxAttempts: 3,
  });
  // The account is the server's (ARNs name it): read it from the default bus.
  const server = createServerClient(options);
  const { DescribeEventBusCommand } = await import('@aws-sdk/client-eventbridge');
  const bus = await events.send(new DescribeEventBusCommand({}));
  const [, , , region = options.region, account = '000000000000'] = (bus.Arn ?? '').split(':');
  return { events, server, region, account };
}

function print(value: unknown): void {
  process.stdout.write(
    `${JSON.stringify(value, (_key, item: unknown) => (item instanceof Date ? item.toISOString() : item), 2)}\n`,
  );
}

export async function archiveCommand(args: readonly string[]): Promise<number> {
  const flags = parseFlags(args);
  const [action, name] = flags.positional;
  const ctx = await context(one(flags, 'endpoint-url'));
  const busArn = (bus: string) => `arn:aws:events:${ctx.region}:${ctx.account}:event-bus/${bus}`;
  try {
    switch (action) {
      case 'list': {
        const bus = one(flags, 'bus');
        let nextToken: string | undefined;
        do {
          const page = await ctx.events.send(
            new ListArchivesCommand({
              ...(bus !== undefined && { EventSourceArn: busArn(bus) }),
              ...(nextToken !== undefined && { NextToken: nextToken }),
            }),
          );
          for (const archive of page.Archives ?? []) {
            process.stdout.write(
              `${archive.ArchiveName}\t${archive.State}\t${archive.EventCount ?? 0} events\t${archive.SizeBytes ?? 0} bytes\t` +
                `retention ${archive.RetentionDays === 0 ? 'forever' : `${archive.RetentionDays} days`}\t${archive.EventSourceArn}\n`,
            );
          }
          nextToken = page.NextToken;
        } while (nextToken !== undefined);
        return 0;
      }
      case 'describe':
        if (name === undefined) throw new UsageError('archives describe needs an archive name');
        print(await ctx.events.send(new DescribeArchiveCommand({ ArchiveName: name })));
        return 0;
      case 'create': {
        if (name === undefined) throw new UsageError('archives create needs an archive name');
        const pattern = one(flags, 'pattern');
        const retention = one(flags, 'retention-days');
        const description = one(flags, 'description');
        const out = await ctx.events.send(
          new CreateArchiveCommand({
            ArchiveName: name,
            EventSourceArn: busArn(one(flags, 'bus') ?? 'default'),
            ...(pattern !== undefined && { EventPattern: pattern }),
            ...(retention !== undefined && { RetentionDays: Number(retention) }),
            ...(description !== undefined && { Description: description }),
          }),
        );
        process.stdout.write(`${out.ArchiveArn}\n`);
        return 0;
      }
      case 'delete':
        if (name === undefined) throw new UsageError('archives delete needs an archive name');
        await ctx.events.send(new DeleteArchiveCommand({ ArchiveName: name }));
        process.stdout.write(`deleted ${name}\n`);
        return 0;
      default:
        throw new UsageError('archives needs list, describe, create or delete');
    }
  } catch (error) {
    return failed(error);
  } finally {
    ctx.events.destroy();
  }
}

export async function replayCommand(
  args: readonly string[],
  createProgress: (label: string) => Progress,
): Promise<number> {
  const flags = parseFlags(args);
  const [action, name] = flags.positional;
  let ctx: Context | undefined;
  try {
    if (name === undefined) {
      throw new UsageError(`replay ${action ?? 'start|status|cancel'} needs a replay name`);
    }
    ctx = await context(one(flags, 'endpoint-url'));
    switch (action) {
      case 'start': {
        const archive = one(flags, 'archive');
        if (archive === undefined) throw new UsageError('replay start needs --archive ARCHIVE');
        const from = parseTime(one(flags, 'from'), 'from');
        const to = parseTime(one(flags, 'to'), 'to');
        const described = await ctx.events.send(new DescribeArchiveCommand({ ArchiveName: archive }));
        const busArn = described.EventSourceArn!;
        const bus = busArn.slice(busArn.indexOf(':event-bus/') + ':event-bus/'.length);
        const rules = flags.values.get('rule') ?? [];
        const rulePath = (rule: string) => (bus === 'default' ? rule : `${bus}/${rule}`);
        const out = await ctx.events.send(
          new StartReplayCommand({
            ReplayName: name,
            EventSourceArn: described.ArchiveArn!,
            EventStartTime: from,
            EventEndTime: to,
            Destination: {
              Arn: busArn,
              ...(rules.length > 0 && {
                FilterArns: rules.map(
                  (rule) => `arn:aws:events:${ctx!.region}:${ctx!.account}:rule/${rulePath(rule)}`,
                ),
              }),
            },
          }),
        );
        process.stdout.write(`${out.ReplayArn} ${out.State}\n`);
        if (one(flags, 'no-wait') !== undefined) return 0;
        return await watch(ctx, name, createProgress);
      }
      case 'status':
        if (one(flags, 'watch') !== undefined) return await watch(ctx, name, createProgress);
        print(await ctx.events.send(new DescribeReplayCommand({ ReplayName: name })));
        return 0;
      case 'cancel': {
        const out = await ctx.events.send(new CancelReplayCommand({ ReplayName: name }));
        process.stdout.write(`${name} ${out.State}\n`);
        return 0;
      }
      default:
        throw new UsageError('replay needs start, status or cancel');
    }
  } catch (error) {
    return failed(error);
  } finally {
    ctx?.events.destroy();
  }
}

interface ReplayProgress {
  State: string;
  StateReason?: string;
  EventsReplayed: number;
  EventsTotal?: number;
}

/** Polls the replay's progress (twice a second) and draws the bar until the replay ends. */
async function watch(
  ctx: Context,
  name: string,
  createProgress: (label: string) => Progress,
): Promise<number> {
  const progress = createProgress(`replay ${name}`);
  for (;;) {
    const state = await ctx.server.call<ReplayProgress>('GetReplayProgress', { ReplayName: name });
    progress.update(state.EventsReplayed, state.EventsTotal ?? state.EventsReplayed);
    if (['COMPLETED', 'CANCELLED', 'FAILED'].includes(state.State)) {
      progress.finish();
      process.stdout.write(
        `${name} ${state.State}: ${state.EventsReplayed} event(s) replayed${state.StateReason ? ` (${state.StateReason})` : ''}\n`,
      );
      return state.State === 'COMPLETED' ? 0 : 1;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function failed(error: unknown): number {
  if (error instanceof UsageError) {
    process.stderr.write(`busway: ${error.message}\n\n${ARCHIVE_USAGE}`);
    return 1;
  }
  const named = error as { name?: string; message?: string };
  process.stderr.write(`busway: ${named.name ?? 'Error'}: ${named.message ?? String(error)}\n`);
  return 1;
}
