/**
 * The `busway` command. Thin: parses the command, resolves the configuration (flags and BUSWAY_*
 * variables, see docs/configuration.md) and calls the server package.
 */
import { ConfigError, buildApp, loadConfig, serve, type ResolvedConfig } from '@busway/server';

const USAGE = `Usage: busway <command> [options]

Commands:
  serve                      start the server (see busway serve --help)
  keys create [--description TEXT]
                             create an access key; prints the id and the secret (shown once)
  keys list                  list access key ids
  keys delete <ACCESS_KEY_ID>
                             delete an access key

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
