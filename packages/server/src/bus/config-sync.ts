/**
 * Keeps this node's routing table in step with changes other nodes make to buses, rules and targets
 * (PostgreSQL mode). The store moves a bus's configuration version on with every such write; this
 * compares the versions with those last loaded, every `intervalMs` and at once when the store's `config`
 * notification arrives, and reloads the buses whose version moved. Notifications only make it faster:
 * one lost while the listening connection was down is caught by the next periodic check.
 */
import { toError } from '../errors.js';
import type { Store } from '../store/store.js';
import type { RoutingTable } from './routing.js';

export interface ConfigSyncOptions {
  store: Store;
  /** The store's getConfigVersions (the capability this needs). */
  getConfigVersions: NonNullable<Store['getConfigVersions']>;
  routing: RoutingTable;
  /** The versions read before the routing table was loaded: changes made since are reloaded. */
  loadedVersions: ReadonlyMap<string, number>;
  intervalMs: number;
  log?: { error(obj: object, msg: string): void };
}

export interface ConfigSync {
  /** Checks now (and again after a check already running); resolves when that check is done. */
  check(): Promise<void>;
  stop(): Promise<void>;
}

export async function startConfigSync(options: ConfigSyncOptions): Promise<ConfigSync> {
  const { store, routing } = options;
  const known = new Map(options.loadedVersions);
  let stopped = false;
  let running: Promise<void> | undefined;
  let again = false;

  const runCheck = async (): Promise<void> => {
    const versions = await options.getConfigVersions();
    for (const [busName, version] of versions) {
      if (known.get(busName) === version) continue;
      // Versions are read before the reload: a write committed during it moves the version again, and
      // the next check reloads once more.
      await routing.reloadBus(store, busName);
      known.set(busName, version);
    }
  };
  const check = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    if (running !== undefined) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await runCheck().catch((error: unknown) => {
            if (!stopped)
              options.log?.error({ err: toError(error) }, 'reloading rules changed on other nodes failed');
          });
        } while (again && !stopped);
      } finally {
        running = undefined;
      }
    })();
    return running;
  };

  const timer = setInterval(() => void check(), options.intervalMs);
  timer.unref();
  const unsubscribe =
    store.subscribe === undefined ? undefined : await store.subscribe('config', () => void check());
  // Whatever changed between loadedVersions and listening.
  await check();
  return {
    check,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await unsubscribe?.();
      await running;
    },
  };
}
