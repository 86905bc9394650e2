/**
 * Runs replays in the background: reads each active replay's archived events in event-time order from
 * its cursor, hands them to ingest's replay entry (new id, `replay-name`, only the FilterArns rules, never
 * archived again), and records the cursor after each batch, so a restarted server resumes where it
 * stopped. Several replays take turns, one batch each.
 *
 * Rate: all replays together stay under `ratePerSecond` archived events per second, so a large replay
 * cannot starve live PutEvents of the store's single writer: each round sleeps until the round's events
 * fit the rate. Batches are a tenth of a second's worth (at most 100), which keeps the pace even.
 *
 * Crash safety: progress is recorded after the batch's events are durable, so a crash between the two
 * replays that batch again (at-least-once, as delivery itself).
 *
 * Cancel: CancelReplay moves the replay to CANCELLING in the store; the next round sees it and ends it
 * CANCELLED. Progress writes only apply to STARTING/RUNNING replays, so a cancel is never overwritten.
 */
import { randomUUID } from 'node:crypto';
import type { ReplayBatch } from '../bus/ingest.js';
import type { ReplayRecord, ReplayState, Store } from '../store/store.js';

/** How often an idle replayer looks for replays started by another process. */
export const REPLAYER_IDLE_POLL_MS = 1000;

export interface ReplayerOptions {
  store: Store;
  /** Lease owner name (unique per replayer; the delivery engine's owner name is a good one). */
  owner?: string;
  replayEvents(batch: ReplayBatch): Promise<number>;
  hasBus(name: string): boolean;
  /** Archived events replayed per second, all replays together. */
  ratePerSecond: number;
  /**
   * Whether deliveries already wait in a long queue: replaying more would put live events behind them
   * (replayed and live deliveries share the workers, oldest first). The replayer pauses while it says so.
   */
  isBacklogged?: () => Promise<boolean>;
  log?: { error(obj: object, msg: string): void; info(obj: object, msg: string): void };
  now?: () => number;
}

export interface Replayer {
  start(): void;
  /** A replay was started or cancelled: look now rather than at the next poll. */
  wake(): void;
  stop(): Promise<void>;
}

/**
 * How long a replayer holds a replay between batches. A node that died holding one loses it to another
 * node this long after its last batch; each batch renews it.
 */
const REPLAY_LEASE_MS = 30_000;
/** How long a replay waits before it looks at the delivery backlog again. */
const BACKLOG_PAUSE_MS = 50;

export function createReplayer(options: ReplayerOptions): Replayer {
  const now = options.now ?? Date.now;
  const owner = options.owner ?? `replayer/${process.pid}/${randomUUID().slice(0, 8)}`;
  const batchSize = Math.max(1, Math.min(100, Math.floor(options.ratePerSecond / 10)));
  let stopping = false;
  let woken = false;
  let loop: Promise<void> | undefined;
  let interrupt: (() => void) | undefined;

  /** Sleeps `ms`; `wake` ends an idle sleep early, `stop` ends any. */
  function sleep(ms: number, wakeable: boolean): Promise<void> {
    if (stopping || (wakeable && woken)) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        interrupt = undefined;
        resolve();
      }
      interrupt = wakeable ? done : () => stopping && done();
    });
  }

  async function end(replay: ReplayRecord, state: ReplayState, from: ReplayState[], reason?: string) {
    await options.store.setReplayState(
      replay.name,
      { state, replayEndTime: now(), ...(reason !== undefined && { stateReason: reason }) },
      from,
    );
    options.log?.info({ replay: replay.name, state, reason }, 'replay ended');
  }

  /** One batch of one replay; returns how many archived events it went through. */
  async function step(replay: ReplayRecord): Promise<number> {
    if (replay.state === 'CANCELLING') {
      await end(replay, 'CANCELLED', ['CANCELLING']);
      return 0;
    }
    const archive = await options.store.getArchive(replay.archiveName);
    if (archive === undefined) {
      await end(replay, 'FAILED', ['STARTING', 'RUNNING'], `Archive ${replay.archiveName} does not exist.`);
      return 0;
    }
    if (!options.hasBus(archive.busName)) {
      await end(replay, 'FAILED', ['STARTING', 'RUNNING'], `Event bus ${archive.busName} does not exist.`);
      return 0;
    }
    const window = { from: replay.eventStartTime, to: replay.eventEndTime };
    const events = await options.store.listArchivedEvents(archive.name, window, replay.cursor, batchSize);
    const last = events.at(-1);
    if (last === undefined) {
      await end(replay, 'COMPLETED', ['STARTING', 'RUNNING']);
      return 0;
    }
    await options.replayEvents({
      busName: archive.busName,
      replayName: replay.name,
      envelopes: events.map((archived) => archived.event.envelope),
      ...(replay.filterArns !== undefined && { ruleArns: replay.filterArns }),
    });
    await options.store.recordReplayProgress(replay.name, {
      cursor: { eventTime: last.eventTime, seq: last.seq },
      eventLastReplayedTime: last.eventTime,
      eventsReplayed: replay.eventsReplayed + events.length,
    });
    return events.length;
  }

  async function run(): Promise<void> {
    while (!stopping) {
      woken = false;
      const roundStarted = now();
      let replayed = 0;
      let active = 0;
      try {
        const replays = await options.store.listActiveReplays();
        active = replays.length;
        if (active > 0 && options.isBacklogged !== undefined && (await options.isBacklogged())) {
          await sleep(BACKLOG_PAUSE_MS, false);
          continue;
        }
        for (const replay of replays) {
          if (stopping) break;
          // Several nodes see every active replay: only the lease holder replays it.
          if ((await options.store.leaseReplay(replay.name, owner, now(), REPLAY_LEASE_MS)) === 'taken')
            continue;
          replayed += await step(replay);
        }
      } catch (error) {
        if (stopping) break;
        options.log?.error({ err: error }, 'replayer: a replay step failed; trying again shortly');
        await sleep(REPLAYER_IDLE_POLL_MS, false);
        continue;
      }
      if (replayed > 0) {
        const due = roundStarted + (replayed * 1000) / options.ratePerSecond;
        await sleep(Math.max(0, due - now()), false);
      } else {
        // Nothing to do here: no active replay, or each is run by another node's replayer.
        await sleep(REPLAYER_IDLE_POLL_MS, true);
      }
    }
  }

  return {
    start() {
      loop ??= run();
    },
    wake() {
      woken = true;
      interrupt?.();
    },
    async stop() {
      stopping = true;
      interrupt?.();
      await loop;
    },
  };
}
