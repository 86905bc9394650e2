/**
 * The real `busway` CLI in a child process: `node --conditions=source --import tsx
 * packages/cli/src/bin.ts ...`. The `source` export condition makes the workspace packages resolve to
 * their TypeScript sources (as vitest.config.ts does), so the child runs the code under test, never a
 * stale dist/. Waits on the process's own output and exit events; nothing here sleeps.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const CLI_BIN = fileURLToPath(new URL('../../../cli/src/bin.ts', import.meta.url));

/** The environment without BUSWAY_* variables, so the machine's settings do not leak into a test. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('BUSWAY_')) env[key] = value;
  }
  return { ...env, ...extra };
}

export interface CliProcess {
  readonly child: ChildProcess;
  /** Everything written to stdout / stderr so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code and signal (also when the process already exited). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnCli(args: readonly string[], env: Record<string, string> = {}): CliProcess {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', CLI_BIN, ...args], {
    cwd: REPO_ROOT,
    env: cleanEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Runs a CLI command to completion. */
export async function runCli(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cli = spawnCli(args, env);
  const { code } = await cli.exited;
  return { code, stdout: cli.stdout(), stderr: cli.stderr() };
}

export const LISTENING_LINE = /^busway listening on (http:\/\/[^\s]+)$/m;

export interface ServeProcess extends CliProcess {
  readonly url: string;
  /** Sends a signal and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * `busway serve --port 0 --data-dir DIR [...]`, resolved once the listening line is on stdout. Rejects
 * with the process's output when it exits first.
 */
export async function spawnServe(
  dataDir: string,
  extraArgs: readonly string[] = [],
  env: Record<string, string> = {},
): Promise<ServeProcess> {
  const cli = spawnCli(
    ['serve', '--port', '0', '--data-dir', dataDir, '--log-level', 'warn', ...extraArgs],
    env,
  );
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (): void => {
      const match = LISTENING_LINE.exec(cli.stdout());
      if (match !== null) {
        cli.child.stdout?.off('data', onData);
        resolve(match[1]!);
      }
    };
    cli.child.stdout?.on('data', onData);
    cli.exited.then(
      ({ code, signal }) =>
        reject(
          new Error(
            `busway serve exited (code ${code}, signal ${signal}) before listening.\n` +
              `stdout:\n${cli.stdout()}\nstderr:\n${cli.stderr()}`,
          ),
        ),
      reject,
    );
  });
  return {
    ...cli,
    url,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill(signal);
      return cli.exited;
    },
  };
}

/** Kills a process still running (afterAll safety net) and waits for it. */
export async function ensureStopped(cli: CliProcess | undefined): Promise<void> {
  if (cli === undefined) return;
  if (cli.child.exitCode === null && cli.child.signalCode === null) {
    cli.child.kill('SIGKILL');
    await once(cli.child, 'close').catch(() => undefined);
  }
}
