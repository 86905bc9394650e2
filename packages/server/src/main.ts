/**
 * `busway serve`: resolve the configuration, refuse unsafe setups, listen, and shut down cleanly on
 * SIGTERM/SIGINT (stop accepting, finish in-flight requests, close the store).
 */
import { isIP } from 'node:net';
import { buildApp, type BuswayApp } from './app.js';
import type { ResolvedConfig } from './config/schema.js';

export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

export interface Started {
  readonly app: BuswayApp;
  /** The URL clients use, e.g. http://127.0.0.1:4010. */
  readonly url: string;
}

export async function startServer(config: ResolvedConfig): Promise<Started> {
  const app = await buildApp(config);
  try {
    if (!isLoopbackHost(config.host) && !config.insecure && (await app.keyring.count()) === 0) {
      throw new Error(
        `Refusing to serve ${config.host} without access keys: anyone who can reach it could use the bus. ` +
          'Create a key (busway keys create, or BUSWAY_ACCESS_KEY_ID and BUSWAY_SECRET_ACCESS_KEY), ' +
          'or pass --insecure if that is really what you want.',
      );
    }
    await app.http.listen({ port: config.port, host: config.host });
    app.startDelivery();
  } catch (error) {
    await app.close();
    throw error;
  }
  const address = app.http.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return { app, url: `http://${host}:${port}` };
}

/** Runs until a signal arrives; used by the CLI. */
export async function serve(config: ResolvedConfig): Promise<void> {
  // Handlers go in before anything starts, so a signal during start-up still ends in a clean close.
  const state: { started?: Started; stopRequested?: NodeJS.Signals; stopping?: boolean } = {};
  const stop = (signal: NodeJS.Signals): void => {
    state.stopRequested = signal;
    if (state.started === undefined || state.stopping === true) return;
    state.stopping = true;
    const { app } = state.started;
    app.http.log.info({ signal }, 'shutting down');
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        app.http.log.error({ err: error }, 'error while shutting down');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  state.started = await startServer(config);
  process.stdout.write(`busway listening on ${state.started.url}\n`);
  if (state.stopRequested !== undefined) stop(state.stopRequested);
}
