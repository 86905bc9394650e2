import pg from 'pg';

import { toError } from '../errors.js';
import { quoteIdentifier } from './sql-files.js';

/** Delay before reconnecting a lost LISTEN connection, doubling per failure up to the maximum. */
const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 10_000;

export interface NotificationHub {
  /** Calls `listener` with the payload of every notification on `channel`; resolves once listening. */
  subscribe(channel: string, listener: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/**
 * LISTEN/NOTIFY for one store: a single dedicated connection (not from the pool: a pooled connection
 * would be handed to queries and its LISTENs to whoever takes it next), opened at the first subscribe.
 * When it drops, it is reopened with backoff and every channel listened to again; notifications sent
 * meanwhile are lost, so subscribers must treat them as wake-ups and still poll, never as the only
 * source of work. `onError` hears of connection failures (they are not thrown anywhere).
 */
export function createNotificationHub(
  config: pg.ClientConfig,
  onError: (error: Error) => void = () => {},
): NotificationHub {
  const listeners = new Map<string, Set<(payload: string) => void>>();
  let client: pg.Client | undefined;
  let connecting: Promise<pg.Client> | undefined;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let reconnectDelay = RECONNECT_MIN_MS;
  let closed = false;

  const dispatch = (message: pg.Notification): void => {
    for (const listener of listeners.get(message.channel) ?? []) listener(message.payload ?? '');
  };

  const connect = (): Promise<pg.Client> => {
    connecting ??= (async () => {
      const next = new pg.Client(config);
      next.on('notification', dispatch);
      next.on('error', (error) => {
        onError(error);
        drop(next);
      });
      next.on('end', () => drop(next));
      try {
        await next.connect();
        for (const channel of listeners.keys()) await next.query(`LISTEN ${quoteIdentifier(channel)}`);
      } catch (error) {
        next.removeAllListeners('end');
        await next.end().catch(() => {});
        throw error;
      } finally {
        connecting = undefined;
      }
      client = next;
      reconnectDelay = RECONNECT_MIN_MS;
      return next;
    })();
    return connecting;
  };

  /** Forgets a connection that failed or ended, and reconnects while anyone listens. */
  const drop = (lost: pg.Client): void => {
    if (client !== lost) return;
    client = undefined;
    scheduleReconnect();
  };

  const scheduleReconnect = (): void => {
    if (closed || listeners.size === 0 || reconnectTimer !== undefined) return;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      connect().catch((error: unknown) => {
        onError(toError(error));
        reconnectDelay = Math.min(reconnectDelay * 2, RECONNECT_MAX_MS);
        scheduleReconnect();
      });
    }, reconnectDelay);
    reconnectTimer.unref();
  };

  return {
    async subscribe(channel, listener) {
      if (closed) throw new Error('The notification hub is closed.');
      let set = listeners.get(channel);
      const first = set === undefined;
      if (set === undefined) {
        set = new Set();
        listeners.set(channel, set);
      }
      set.add(listener);
      try {
        const connected = client ?? (await connect());
        // A new channel needs its LISTEN (repeated harmlessly when connect() just listened to it).
        if (first) await connected.query(`LISTEN ${quoteIdentifier(channel)}`);
      } catch (error) {
        set.delete(listener);
        if (set.size === 0) listeners.delete(channel);
        throw error;
      }
      let subscribed = true;
      return async () => {
        if (!subscribed) return;
        subscribed = false;
        const current = listeners.get(channel);
        current?.delete(listener);
        if (current === undefined || current.size > 0) return;
        listeners.delete(channel);
        await client?.query(`UNLISTEN ${quoteIdentifier(channel)}`).catch(() => {});
      };
    },
    async close() {
      closed = true;
      listeners.clear();
      if (reconnectTimer !== undefined) clearTimeout(reconnectTimer);
      const pending = connecting;
      if (pending !== undefined) await pending.catch(() => undefined);
      const current = client;
      client = undefined;
      if (current !== undefined) {
        current.removeAllListeners('end');
        await current.end().catch(() => {});
      }
    },
  };
}
