/**
 * EventBridge's archives and replays: the rules of each operation, written against the store and the
 * routing table (which holds each bus's archives as compiled patterns, so ingest archives an event in
 * the event's own write). Replays are only recorded here; delivery/replayer.ts runs them. Messages are
 * AWS's texts (../shared/conformance/aws-errors.json, reference §7).
 */
import { InvalidPatternError, parsePattern } from '@busway/patterns';
import {
  ConflictError,
  IllegalStatusError,
  InvalidEventPatternError,
  LimitExceededError,
  NotFoundError,
  ValidationError,
} from '../errors.js';
import type {
  ArchiveRecord,
  ArchiveState,
  ArchiveStats,
  Page,
  ReplayRecord,
  ReplayState,
  Store,
} from '../store/store.js';
import {
  archiveArn,
  archiveNameOfArn,
  busNameOfArn,
  parseResourceArn,
  replayArn,
  type ArnContext,
} from './arns.js';
import type { RoutingTable } from './routing.js';
import type { PageInput } from './types.js';

/** EventBridge allows 10 replays at a time per account (reference §7). */
export const MAX_ACTIVE_REPLAYS = 10;
const DAY_MS = 86_400_000;
const DEFAULT_PAGE_SIZE = 100;

export type ArchiveWithStats = ArchiveRecord & ArchiveStats;

export interface CreateArchiveInput {
  name: string;
  eventSourceArn: string;
  description?: string;
  eventPattern?: string;
  retentionDays?: number;
}

export interface UpdateArchiveInput {
  name: string;
  description?: string;
  eventPattern?: string;
  retentionDays?: number;
}

export interface StartReplayInput {
  name: string;
  description?: string;
  eventSourceArn: string;
  eventStartTime: number;
  eventEndTime: number;
  destination: { arn: string; filterArns?: string[] };
}

export interface ArchiveService {
  createArchive(input: CreateArchiveInput): Promise<ArchiveRecord>;
  describeArchive(name: string): Promise<ArchiveWithStats>;
  updateArchive(input: UpdateArchiveInput): Promise<ArchiveRecord>;
  deleteArchive(name: string): Promise<void>;
  listArchives(
    input: PageInput & { namePrefix?: string; eventSourceArn?: string; state?: ArchiveState },
  ): Promise<Page<ArchiveWithStats>>;
  /** Retention: deletes archived events older than their archive's RetentionDays at `now`. */
  pruneArchives(now?: number): Promise<number>;

  startReplay(input: StartReplayInput): Promise<ReplayRecord>;
  describeReplay(name: string): Promise<ReplayRecord>;
  cancelReplay(name: string): Promise<ReplayRecord>;
  listReplays(
    input: PageInput & { namePrefix?: string; state?: ReplayState; eventSourceArn?: string },
  ): Promise<Page<ReplayRecord>>;
}

export interface ArchiveServiceOptions extends ArnContext {
  readonly maxEventPatternLength: number;
  /** A replay was recorded (STARTING) or cancelled: the replayer should look now. */
  onReplayChanged?(): void;
}

function archiveNotFound(name: string): NotFoundError {
  return new NotFoundError(`Archive ${name} does not exist.`);
}

function replayNotFound(name: string): NotFoundError {
  return new NotFoundError(`Replay ${name} does not exist.`);
}

export function createArchiveService(
  store: Store,
  routing: RoutingTable,
  options: ArchiveServiceOptions,
  now: () => number = Date.now,
): ArchiveService {
  function page(input: PageInput): { limit: number; nextToken?: string } {
    const limit = input.limit ?? DEFAULT_PAGE_SIZE;
    return input.nextToken === undefined ? { limit } : { nextToken: input.nextToken, limit };
  }

  /** The bus of a bus ARN of this server that exists. */
  async function requireBusOfArn(arn: string): Promise<string> {
    const busName = busNameOfArn(arn);
    if (busName === undefined) {
      throw new ValidationError(
        `Parameter EventSourceArn is not valid. Reason: ${arn} is not an event bus ARN.`,
      );
    }
    if ((await store.getBus(busName)) === undefined) {
      throw new NotFoundError(`Event bus ${busName} does not exist.`);
    }
    return busName;
  }

  async function requireArchive(name: string): Promise<ArchiveRecord> {
    const archive = await store.getArchive(name);
    if (archive === undefined) throw archiveNotFound(name);
    return archive;
  }

  async function requireReplay(name: string): Promise<ReplayRecord> {
    const replay = await store.getReplay(name);
    if (replay === undefined) throw replayNotFound(name);
    return replay;
  }

  function checkPattern(pattern: string): void {
    try {
      parsePattern(pattern, { maxLength: options.maxEventPatternLength });
    } catch (error) {
      if (error instanceof InvalidPatternError)
        throw new InvalidEventPatternError(error.message, { cause: error });
      throw error;
    }
  }

  async function withStats(archive: ArchiveRecord): Promise<ArchiveWithStats> {
    return { ...archive, ...(await store.getArchiveStats(archive.name)) };
  }

  return {
    async createArchive(input) {
      const busName = await requireBusOfArn(input.eventSourceArn);
      if (input.eventPattern !== undefined) checkPattern(input.eventPattern);
      const at = now();
      const archive: ArchiveRecord = {
        name: input.name,
        arn: archiveArn(options, input.name),
        busName,
        eventSourceArn: input.eventSourceArn,
        retentionDays: input.retentionDays ?? 0,
        state: 'ENABLED',
        createdAt: at,
        updatedAt: at,
        ...(input.description !== undefined && { description: input.description }),
        ...(input.eventPattern !== undefined && { eventPattern: input.eventPattern }),
      };
      if ((await store.createArchive(archive)) === 'exists') {
        throw new ConflictError(`Archive ${input.name} already exists.`);
      }
      routing.setArchive(archive);
      return archive;
    },

    async describeArchive(name) {
      return withStats(await requireArchive(name));
    },

    async updateArchive(input) {
      if (
        input.description === undefined &&
        input.eventPattern === undefined &&
        input.retentionDays === undefined
      ) {
        throw new ValidationError(
          'At least one of EventPattern, RetentionDays or Description must be provided.',
        );
      }
      const archive = await requireArchive(input.name);
      if (input.eventPattern !== undefined) checkPattern(input.eventPattern);
      const updated: ArchiveRecord = {
        ...archive,
        updatedAt: now(),
        ...(input.description !== undefined && { description: input.description }),
        ...(input.eventPattern !== undefined && { eventPattern: input.eventPattern }),
        ...(input.retentionDays !== undefined && { retentionDays: input.retentionDays }),
      };
      if ((await store.updateArchive(updated)) === 'not-found') throw archiveNotFound(input.name);
      routing.setArchive(updated);
      return updated;
    },

    async deleteArchive(name) {
      const archive = await requireArchive(name);
      // Out of the routing table first, so that no event is archived into rows being deleted.
      routing.deleteArchive(archive.busName, name);
      if ((await store.deleteArchive(name)) === 'not-found') throw archiveNotFound(name);
    },

    async listArchives(input) {
      let busName: string | undefined;
      if (input.eventSourceArn !== undefined) busName = await requireBusOfArn(input.eventSourceArn);
      const result = await store.listArchives(
        {
          ...(input.namePrefix !== undefined && { namePrefix: input.namePrefix }),
          ...(busName !== undefined && { busName }),
          ...(input.state !== undefined && { state: input.state }),
        },
        page(input),
      );
      const items = await Promise.all(result.items.map(withStats));
      return result.nextToken === undefined ? { items } : { items, nextToken: result.nextToken };
    },

    async pruneArchives(at = now()) {
      let pruned = 0;
      for (const archive of await store.listAllArchives()) {
        if (archive.retentionDays > 0) {
          pruned += await store.pruneArchive(archive.name, at - archive.retentionDays * DAY_MS);
        }
      }
      return pruned;
    },

    async startReplay(input) {
      const archiveName = archiveNameOfArn(input.eventSourceArn);
      const archive = archiveName === undefined ? undefined : await store.getArchive(archiveName);
      if (archive === undefined) {
        throw new ValidationError(
          `Parameter EventSourceArn is not valid. Reason: Archive ${archiveName ?? input.eventSourceArn} does not exist.`,
        );
      }
      const destinationBus = busNameOfArn(input.destination.arn);
      if (destinationBus === undefined) {
        throw new ValidationError(
          `Parameter Destination.Arn is not valid. Reason: ${input.destination.arn} is not an event bus ARN.`,
        );
      }
      if ((await store.getBus(destinationBus)) === undefined) {
        throw new NotFoundError(`Event bus ${destinationBus} does not exist.`);
      }
      if (destinationBus !== archive.busName) {
        throw new ValidationError(
          'Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.',
        );
      }
      if (input.eventStartTime >= input.eventEndTime) {
        throw new ValidationError(
          'Parameter EventEndTime is not valid. Reason: EventStartTime must be before EventEndTime.',
        );
      }
      for (const filterArn of input.destination.filterArns ?? []) {
        const parsed = parseResourceArn(filterArn);
        if (parsed.kind !== 'rule' || parsed.busName !== destinationBus) {
          throw new ValidationError(
            `Parameter Destination.FilterArns is not valid. Reason: ${filterArn} is not a rule of event bus ${destinationBus}.`,
          );
        }
      }
      if ((await store.getReplay(input.name)) !== undefined) {
        throw new ConflictError(`Replay ${input.name} already exists.`);
      }
      if ((await store.countActiveReplays()) >= MAX_ACTIVE_REPLAYS) throw new LimitExceededError();
      const window = { from: input.eventStartTime, to: input.eventEndTime };
      const replay: ReplayRecord = {
        name: input.name,
        arn: replayArn(options, input.name),
        archiveName: archive.name,
        eventSourceArn: input.eventSourceArn,
        destinationArn: input.destination.arn,
        eventStartTime: input.eventStartTime,
        eventEndTime: input.eventEndTime,
        replayStartTime: now(),
        eventsTotal: await store.countArchivedEvents(archive.name, window),
        state: 'STARTING',
        eventsReplayed: 0,
        ...(input.description !== undefined && { description: input.description }),
        ...(input.destination.filterArns !== undefined && { filterArns: input.destination.filterArns }),
      };
      if ((await store.createReplay(replay)) === 'exists') {
        throw new ConflictError(`Replay ${input.name} already exists.`);
      }
      options.onReplayChanged?.();
      return replay;
    },

    describeReplay: requireReplay,

    async cancelReplay(name) {
      const result = await store.setReplayState(name, { state: 'CANCELLING' }, ['STARTING', 'RUNNING']);
      if (result === 'not-found') throw replayNotFound(name);
      // Only a STARTING or RUNNING replay can be cancelled (reference §7).
      if (result === 'conflict') {
        throw new IllegalStatusError(`Replay ${name} is not in a valid state for this operation.`);
      }
      const replay = await requireReplay(name);
      options.onReplayChanged?.();
      return replay;
    },

    async listReplays(input) {
      return store.listReplays(
        {
          ...(input.namePrefix !== undefined && { namePrefix: input.namePrefix }),
          ...(input.state !== undefined && { state: input.state }),
          ...(input.eventSourceArn !== undefined && { eventSourceArn: input.eventSourceArn }),
        },
        page(input),
      );
    },
  };
}
