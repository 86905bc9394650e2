/**
 * The `busway` command. Thin: parses the command, resolves the configuration (flags and BUSWAY_*
 * variables, see docs/configuration.md) and calls the server package.
 */
import { ConfigError, buildApp, loadConfig, serve, type ResolvedConfig } from '@busway/server';
import { deliveriesCommand, OBSERVE_USAGE, tailCommand } from './observe-commands.js';
import { INBOUND_USAGE, inboundCommand } from './inbound-commands.js';
import { ARCHIVE_USAGE, archiveCommand, replayCommand } from './archive-commands.js';

const USAGE = `Usage: busway <command> [options]

Commands:
  serve                      start the server (see busway serve --help)
  keys create [--description TEXT]
                             create an access key; prints the id and the secret (shown once)
  keys list                  list access key ids
  keys delete <ACCESS_KEY_ID>
                             delete an access key
  queues redrive <DLQ_NAME> [--to QUEUE | --to-bus BUS]
                             move a dead-letter queue's messages back to the queue whose
                             RedrivePolicy names it (or to QUEUE), or put them on BUS as events
${OBSERVE_USAGE}
${INBOUND_USAGE}
${ARCHIVE_USAGE}
Options for every command: --data-dir DIR (BUSWAY_DATA_DIR), default ./.busway
Run 'busway serve --help' for the server's options.
`;

/** Returns the exit code, or undefined while a server keeps running. */
export async function run(args: readonly string[]): Promise<number | undefined> {
  const [command, ...rest] = args;
  try {
    switch (command) {
      case 'serve':
        if (rest.includes('--help') || rest.includes('-h')) {
          process.stdout.write(await serveHelp());
          return 0;
        }
        await serve(loadConfig({ argv: rest }));
        return undefined;
      case 'keys':
        return await keys(rest);
      case 'queues':
        return await queues(rest);
      case 'tail':
        return await tailCommand(rest);
      case 'deliveries':
        return await deliveriesCommand(rest);
      case 'webhooks':
      case 'ingest':
        return await inboundCommand(command, rest);
      case 'archives':
        return await archiveCommand(rest);
      case 'replay':
        return await replayCommand(rest, createProgress);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        return command === undefined ? 1 : 0;
      default:
        process.stderr.write(`busway: unknown command '${command}'\n\n${USAGE}`);
        return 1;
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`busway: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

async function serveHelp(): Promise<string> {
  const { CONFIG_OPTIONS } = await import('@busway/server');
  const lines = CONFIG_OPTIONS.map((o) => {
    const flag = `${o.flag}${o.type === 'boolean' ? '' : ' VALUE'}`.padEnd(34);
    const def = o.default === undefined ? '' : ` (default: ${String(o.default)})`;
    return `  ${flag}${o.description}${def} [${o.env}]`;
  });
  return `Usage: busway serve [options]\n\nOptions:\n${lines.join('\n')}\n`;
}

/** `--data-dir` may come anywhere among a subcommand's arguments. */
function splitDataDir(args: readonly string[]): { config: ResolvedConfig; rest: string[] } {
  const configArgs: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--data-dir') configArgs.push(arg, args[++i] ?? '');
    else if (arg.startsWith('--data-dir=')) configArgs.push(arg);
    else rest.push(arg);
  }
  // Key commands work on the store directly; no server options apply.
  return { config: loadConfig({ argv: configArgs, overrides: { logLevel: 'silent' } }), rest };
}

async function keys(args: readonly string[]): Promise<number> {
  const { config, rest } = splitDataDir(args);
  const [action, ...params] = rest;
  const app = await buildApp(config);
  try {
    switch (action) {
      case 'create': {
        const at = params.indexOf('--description');
        const description = at >= 0 ? params[at + 1] : undefined;
        const key = await app.keyring.create(description);
        process.stdout.write(
          `AccessKeyId:     ${key.accessKeyId}\nSecretAccessKey: ${key.secretAccessKey}\n` +
            'The secret is shown only now. Requests to this server must now be SigV4-signed.\n',
        );
        return 0;
      }
      case 'list': {
        for (const key of await app.keyring.list()) {
          const created = new Date(key.createdAt).toISOString();
          process.stdout.write(`${key.accessKeyId}\t${created}\t${key.description ?? ''}\n`);
        }
        return 0;
      }
      case 'delete': {
        const id = params[0];
        if (id === undefined) {
          process.stderr.write('busway: keys delete needs an access key id\n');
          return 1;
        }
        if (!(await app.keyring.delete(id))) {
          process.stderr.write(`busway: no access key ${id}\n`);
          return 1;
        }
        process.stdout.write(`deleted ${id}\n`);
        return 0;
      }
      default:
        process.stderr.write(`busway: keys needs create, list or delete\n\n${USAGE}`);
        return 1;
    }
  } finally {
    await app.close();
  }
}

/** A one-line progress bar on stderr (redrawn in place on a terminal, one final line otherwise). */
function createProgress(label: string): { update(done: number, total: number): void; finish(): void } {
  const started = Date.now();
  let last = '';
  return {
    update(done, total) {
      const width = 30;
      const share = total === 0 ? 1 : Math.min(1, done / total);
      const filled = Math.round(share * width);
      const seconds = (Date.now() - started) / 1000;
      const rate = seconds > 0 ? done / seconds : 0;
      const left = rate > 0 ? Math.max(0, (total - done) / rate) : 0;
      last =
        `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}` +
        ` ${rate.toFixed(0)}/s, ${left.toFixed(0)} s left`;
      if (process.stderr.isTTY) process.stderr.write(`\r${last}`);
    },
    finish() {
      process.stderr.write(process.stderr.isTTY ? '\n' : `${last}\n`);
    },
  };
}

async function queues(args: readonly string[]): Promise<number> {
  const { config, rest } = splitDataDir(args);
  const [action, name, ...params] = rest;
  if (action !== 'redrive' || name === undefined) {
    process.stderr.write(`busway: queues needs: redrive <DLQ_NAME> [--to QUEUE | --to-bus BUS]\n\n${USAGE}`);
    return 1;
  }
  const option = (flag: string): string | undefined => {
    const at = params.indexOf(flag);
    return at >= 0 ? params[at + 1] : undefined;
  };
  const app = await buildApp(config);
  try {
    const dlq = await app.queues.getQueue(name);
    const total = Number(
      (await app.queues.getQueueAttributes(name, ['ApproximateNumberOfMessages']))[
        'ApproximateNumberOfMessages'
      ] ?? 0,
    );
    const toBus = option('--to-bus');
    if (toBus !== undefined) {
      const progress = createProgress(`${name} -> bus ${toBus}`);
      const moved = await redriveToBus(app, name, toBus, total, progress.update);
      progress.finish();
      process.stdout.write(`moved ${moved} message(s) from ${name} to bus ${toBus}\n`);
      return 0;
    }
    const target = option('--to') ?? (await findSourceQueue(app, dlq.arn));
    if (target === undefined) {
      process.stderr.write(`busway: no queue has ${name} as its dead-letter queue; pass --to QUEUE\n`);
      return 1;
    }
    const progress = createProgress(`${name} -> ${target}`);
    const moved = await app.queues.moveMessages({ from: name, to: target, onProgress: progress.update });
    progress.finish();
    process.stdout.write(`moved ${moved} message(s) from ${name} to ${target}\n`);
    return 0;
  } finally {
    await app.close();
  }
}

type App = Awaited<ReturnType<typeof buildApp>>;

/** The queue whose RedrivePolicy sends its failures to this dead-letter queue. */
async function findSourceQueue(app: App, dlqArn: string): Promise<string | undefined> {
  let nextToken: string | undefined;
  do {
    const page = await app.queues.listQueues(nextToken === undefined ? {} : { nextToken });
    for (const queue of page.names) {
      const policy = (await app.queues.getQueueAttributes(queue, ['RedrivePolicy']))['RedrivePolicy'];
      if (
        policy !== undefined &&
        (JSON.parse(policy) as { deadLetterTargetArn?: string }).deadLetterTargetArn === dlqArn
      ) {
        return queue;
      }
    }
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  return undefined;
}

/**
 * Puts each message back on a bus as an event: an EventBridge dead letter's body is the event, so its
 * source, detail-type, detail and resources are published again (with a new id and time). A message
 * that is not an event is left in the queue.
 */
async function redriveToBus(
  app: App,
  queue: string,
  busName: string,
  total: number,
  onProgress: (done: number, total: number) => void,
): Promise<number> {
  let moved = 0;
  let skipped = 0;
  for (;;) {
    const messages = await app.queues.receiveMessage(queue, {
      maxNumberOfMessages: 10,
      visibilityTimeout: 300,
    });
    if (messages.length === 0) break;
    for (const message of messages) {
      let event: { source?: unknown; 'detail-type'?: unknown; detail?: unknown; resources?: unknown };
      try {
        event = JSON.parse(message.body) as typeof event;
      } catch {
        event = {};
      }
      if (typeof event.source !== 'string' || typeof event['detail-type'] !== 'string') {
        skipped++;
        continue;
      }
      const [result] = await app.bus.putEvents([
        {
          busName,
          source: event.source,
          detailType: event['detail-type'],
          detail: JSON.stringify(event.detail ?? {}),
          ...(Array.isArray(event.resources) && { resources: event.resources.map(String) }),
        },
      ]);
      if (result !== undefined && 'eventId' in result) {
        await app.queues.deleteMessage(queue, message.receiptHandle);
        moved++;
        onProgress(moved, total);
      } else skipped++;
    }
  }
  if (skipped > 0)
    process.stderr.write(`busway: ${skipped} message(s) were not events and stay in ${queue}\n`);
  return moved;
}
