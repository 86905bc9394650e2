/**
 * Real Busway servers for end-to-end tests: listening on 127.0.0.1 with port 0, each with its own
 * temporary data dir (a real SQLite file), and real AWS SDK v3 clients pointed at them. Everything a
 * test starts is closed by `close()` (call it in afterAll).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, type EventBridgeClientConfig } from '@aws-sdk/client-eventbridge';
import { loadConfig, startServer, type BuswayApp, type ResolvedConfig } from '../../src/index.js';

export const TEST_REGION = 'us-east-1';
export const TEST_ACCOUNT = '000000000000';

/** Credentials for servers without access keys: any signature is accepted there. */
export const ANY_CREDENTIALS = { accessKeyId: 'AKIDBUSWAYTESTANY', secretAccessKey: 'any-secret' };

/** A fresh folder under the OS temp dir; removed by `removeDir`. */
export function createTempDir(prefix = 'busway-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * A configuration as the server would resolve it, isolated from the machine: no `BUSWAY_*` variable of
 * the environment applies, logs are silent unless asked for, port 0, loopback.
 */
export function testConfig(dataDir: string, overrides: Partial<ResolvedConfig> = {}): ResolvedConfig {
  return loadConfig({
    env: {},
    overrides: { port: 0, host: '127.0.0.1', dataDir, logLevel: 'silent', ...overrides },
  });
}

export interface ClientOptions {
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** 1 by default: LimitExceededException and clock-skew errors would otherwise be retried. */
  maxAttempts?: number;
  /** Extra client settings (systemClockOffset, region...). */
  config?: Partial<EventBridgeClientConfig>;
}

export function createEventBridgeClient(url: string, options: ClientOptions = {}): EventBridgeClient {
  return new EventBridgeClient({
    endpoint: url,
    region: TEST_REGION,
    // A copy: the SDK marks the credentials object it is given (`$source`), which would leak into config.
    credentials: { ...(options.credentials ?? ANY_CREDENTIALS) },
    maxAttempts: options.maxAttempts ?? 1,
    ...options.config,
  });
}

export interface TestServer {
  readonly url: string;
  readonly app: BuswayApp;
  readonly config: ResolvedConfig;
  readonly dataDir: string;
  /** The shared client (configured credentials, maxAttempts 1). */
  readonly client: EventBridgeClient;
  /** Another client for this server, closed with it. */
  newClient(options?: ClientOptions): EventBridgeClient;
  /** Stops the server and its clients; removes the data dir unless it was given by the caller. */
  close(): Promise<void>;
}

export interface StartOptions {
  overrides?: Partial<ResolvedConfig>;
  /** Reuse this data dir (restarts); it is then left in place by close(). */
  dataDir?: string;
  /** Credentials for the shared client. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export async function startTestServer(options: StartOptions = {}): Promise<TestServer> {
  const ownsDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? createTempDir();
  const config = testConfig(dataDir, options.overrides);
  let started: Awaited<ReturnType<typeof startServer>>;
  try {
    started = await startServer(config);
  } catch (error) {
    if (ownsDir) removeDir(dataDir);
    throw error;
  }
  const clients: EventBridgeClient[] = [];
  const newClient = (clientOptions: ClientOptions = {}): EventBridgeClient => {
    const client = createEventBridgeClient(started.url, {
      ...(options.credentials !== undefined && { credentials: options.credentials }),
      ...clientOptions,
    });
    clients.push(client);
    return client;
  };
  const client = newClient();
  let closed = false;
  return {
    url: started.url,
    app: started.app,
    config,
    dataDir,
    client,
    newClient,
    async close() {
      if (closed) return;
      closed = true;
      for (const c of clients) c.destroy();
      try {
        await started.app.close();
      } finally {
        if (ownsDir) removeDir(dataDir);
      }
    },
  };
}
