/**
 * Archives and replays on the wire (`AWSEvents.CreateArchive` ... `AWSEvents.ListReplays`, shapes of the
 * service model, reference §7), plus Busway's own `Busway.GetReplayProgress` (counts for the CLI's
 * progress bar, which DescribeReplay does not carry) and the storage sink operations
 * (`Busway.CreateSink`, `DescribeSink`, `ListSinks`, `DeleteSink`). Shapes are checked here; the rules
 * of the operations are the domain's (bus/archives.ts, delivery/sinks/sink-service.ts).
 */
import type { ArchiveService, ArchiveWithStats } from '../../bus/archives.js';
import type { SinkService, SinkSettings } from '../../delivery/sinks/sink-service.js';
import type { ArchiveState, ReplayRecord, ReplayState, SinkRecord } from '../../store/store.js';
import type { OperationHandler } from '../aws-json/protocol.js';
import { violation, WireValidator, type StringConstraints } from '../validation.js';

const ARCHIVE_NAME: StringConstraints = { min: 1, max: 48, pattern: '[\\.\\-_A-Za-z0-9]+' };
const REPLAY_NAME: StringConstraints = { min: 1, max: 64, pattern: '[\\.\\-_A-Za-z0-9]+' };
const SINK_NAME = REPLAY_NAME;
const ARN: StringConstraints = { min: 1, max: 1600 };
const DESCRIPTION: StringConstraints = { max: 512 };
const EVENT_PATTERN: StringConstraints = { max: 4096 };
const KMS_KEY_IDENTIFIER: StringConstraints = { max: 2048, pattern: '^[a-zA-Z0-9_\\-/:]*$' };
const ARCHIVE_STATE: StringConstraints = {
  enum: ['ENABLED', 'DISABLED', 'CREATING', 'UPDATING', 'CREATE_FAILED', 'UPDATE_FAILED'],
};
const REPLAY_STATE: StringConstraints = {
  enum: ['STARTING', 'RUNNING', 'CANCELLING', 'COMPLETED', 'CANCELLED', 'FAILED'],
};
const NEXT_TOKEN: StringConstraints = { min: 1, max: 2048 };
const LIMIT = { min: 1, max: 100 };

function epochSeconds(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : ms / 1000;
}

function readPage(v: WireValidator, input: Record<string, unknown>): { nextToken?: string; limit?: number } {
  const nextToken = v.string(input.NextToken, 'nextToken', NEXT_TOKEN);
  const limit = v.integer(input.Limit, 'limit', LIMIT);
  return {
    ...(nextToken !== undefined && { nextToken }),
    ...(limit !== undefined && { limit }),
  };
}

function requiredTimestamp(v: WireValidator, value: unknown, path: string): number | undefined {
  const ms = v.timestamp(value, path);
  if (ms === undefined) v.add(violation(null, path, 'Member must not be null'));
  return ms;
}

function archiveOut(archive: ArchiveWithStats): Record<string, unknown> {
  return {
    ArchiveName: archive.name,
    EventSourceArn: archive.eventSourceArn,
    State: archive.state,
    RetentionDays: archive.retentionDays,
    SizeBytes: archive.sizeBytes,
    EventCount: archive.eventCount,
    CreationTime: epochSeconds(archive.createdAt),
  };
}

function replaySummaryOut(replay: ReplayRecord): Record<string, unknown> {
  return {
    ReplayName: replay.name,
    EventSourceArn: replay.eventSourceArn,
    State: replay.state,
    StateReason: replay.stateReason,
    EventStartTime: epochSeconds(replay.eventStartTime),
    EventEndTime: epochSeconds(replay.eventEndTime),
    EventLastReplayedTime: epochSeconds(replay.eventLastReplayedTime),
    ReplayStartTime: epochSeconds(replay.replayStartTime),
    ReplayEndTime: epochSeconds(replay.replayEndTime),
  };
}

export function createArchiveOperations(archives: ArchiveService): Map<string, OperationHandler> {
  const operations: Record<string, OperationHandler> = {
    async CreateArchive(input) {
      const v = new WireValidator();
      const name = v.string(input.ArchiveName, 'archiveName', { ...ARCHIVE_NAME, required: true });
      const eventSourceArn = v.string(input.EventSourceArn, 'eventSourceArn', { ...ARN, required: true });
      const description = v.string(input.Description, 'description', DESCRIPTION);
      const eventPattern = v.string(input.EventPattern, 'eventPattern', EVENT_PATTERN);
      const retentionDays = v.integer(input.RetentionDays, 'retentionDays', { min: 0 });
      v.string(input.KmsKeyIdentifier, 'kmsKeyIdentifier', KMS_KEY_IDENTIFIER);
      v.throwIfInvalid();
      const archive = await archives.createArchive({
        name: name!,
        eventSourceArn: eventSourceArn!,
        ...(description !== undefined && { description }),
        ...(eventPattern !== undefined && { eventPattern }),
        ...(retentionDays !== undefined && { retentionDays }),
      });
      return { ArchiveArn: archive.arn, State: archive.state, CreationTime: epochSeconds(archive.createdAt) };
    },

    async DescribeArchive(input) {
      const v = new WireValidator();
      const name = v.string(input.ArchiveName, 'archiveName', { ...ARCHIVE_NAME, required: true });
      v.throwIfInvalid();
      const archive = await archives.describeArchive(name!);
      return {
        ArchiveArn: archive.arn,
        ArchiveName: archive.name,
        EventSourceArn: archive.eventSourceArn,
        Description: archive.description,
        EventPattern: archive.eventPattern,
        State: archive.state,
        RetentionDays: archive.retentionDays,
        SizeBytes: archive.sizeBytes,
        EventCount: archive.eventCount,
        CreationTime: epochSeconds(archive.createdAt),
      };
    },

    async UpdateArchive(input) {
      const v = new WireValidator();
      const name = v.string(input.ArchiveName, 'archiveName', { ...ARCHIVE_NAME, required: true });
      const description = v.string(input.Description, 'description', DESCRIPTION);
      const eventPattern = v.string(input.EventPattern, 'eventPattern', EVENT_PATTERN);
      const retentionDays = v.integer(input.RetentionDays, 'retentionDays', { min: 0 });
      v.string(input.KmsKeyIdentifier, 'kmsKeyIdentifier', KMS_KEY_IDENTIFIER);
      v.throwIfInvalid();
      const archive = await archives.updateArchive({
        name: name!,
        ...(description !== undefined && { description }),
        ...(eventPattern !== undefined && { eventPattern }),
        ...(retentionDays !== undefined && { retentionDays }),
      });
      return { ArchiveArn: archive.arn, State: archive.state, CreationTime: epochSeconds(archive.createdAt) };
    },

    async DeleteArchive(input) {
      const v = new WireValidator();
      const name = v.string(input.ArchiveName, 'archiveName', { ...ARCHIVE_NAME, required: true });
      v.throwIfInvalid();
      await archives.deleteArchive(name!);
    },

    async ListArchives(input) {
      const v = new WireValidator();
      const namePrefix = v.string(input.NamePrefix, 'namePrefix', ARCHIVE_NAME);
      const eventSourceArn = v.string(input.EventSourceArn, 'eventSourceArn', ARN);
      const state = v.string(input.State, 'state', ARCHIVE_STATE) as ArchiveState | undefined;
      const page = readPage(v, input);
      v.throwIfInvalid();
      const result = await archives.listArchives({
        ...page,
        ...(namePrefix !== undefined && { namePrefix }),
        ...(eventSourceArn !== undefined && { eventSourceArn }),
        ...(state !== undefined && { state }),
      });
      return { Archives: result.items.map(archiveOut), NextToken: result.nextToken };
    },

    async StartReplay(input) {
      const v = new WireValidator();
      const name = v.string(input.ReplayName, 'replayName', { ...REPLAY_NAME, required: true });
      const description = v.string(input.Description, 'description', DESCRIPTION);
      const eventSourceArn = v.string(input.EventSourceArn, 'eventSourceArn', { ...ARN, required: true });
      const eventStartTime = requiredTimestamp(v, input.EventStartTime, 'eventStartTime');
      const eventEndTime = requiredTimestamp(v, input.EventEndTime, 'eventEndTime');
      const destination = v.object(input.Destination, 'destination', { required: true });
      const destinationArn =
        destination === undefined
          ? undefined
          : v.string(destination.Arn, 'destination.arn', { ...ARN, required: true });
      const filterArns =
        destination === undefined
          ? undefined
          : v.stringList(destination.FilterArns, 'destination.filterArns', { member: ARN });
      v.throwIfInvalid();
      const replay = await archives.startReplay({
        name: name!,
        eventSourceArn: eventSourceArn!,
        eventStartTime: eventStartTime!,
        eventEndTime: eventEndTime!,
        destination: { arn: destinationArn!, ...(filterArns !== undefined && { filterArns }) },
        ...(description !== undefined && { description }),
      });
      return {
        ReplayArn: replay.arn,
        State: replay.state,
        StateReason: replay.stateReason,
        ReplayStartTime: epochSeconds(replay.replayStartTime),
      };
    },

    async DescribeReplay(input) {
      const v = new WireValidator();
      const name = v.string(input.ReplayName, 'replayName', { ...REPLAY_NAME, required: true });
      v.throwIfInvalid();
      const replay = await archives.describeReplay(name!);
      return {
        ReplayName: replay.name,
        ReplayArn: replay.arn,
        Description: replay.description,
        State: replay.state,
        StateReason: replay.stateReason,
        EventSourceArn: replay.eventSourceArn,
        Destination: { Arn: replay.destinationArn, FilterArns: replay.filterArns },
        EventStartTime: epochSeconds(replay.eventStartTime),
        EventEndTime: epochSeconds(replay.eventEndTime),
        EventLastReplayedTime: epochSeconds(replay.eventLastReplayedTime),
        ReplayStartTime: epochSeconds(replay.replayStartTime),
        ReplayEndTime: epochSeconds(replay.replayEndTime),
      };
    },

    async CancelReplay(input) {
      const v = new WireValidator();
      const name = v.string(input.ReplayName, 'replayName', { ...REPLAY_NAME, required: true });
      v.throwIfInvalid();
      const replay = await archives.cancelReplay(name!);
      return { ReplayArn: replay.arn, State: replay.state, StateReason: replay.stateReason };
    },

    async ListReplays(input) {
      const v = new WireValidator();
      const namePrefix = v.string(input.NamePrefix, 'namePrefix', REPLAY_NAME);
      const state = v.string(input.State, 'state', REPLAY_STATE) as ReplayState | undefined;
      const eventSourceArn = v.string(input.EventSourceArn, 'eventSourceArn', ARN);
      const page = readPage(v, input);
      v.throwIfInvalid();
      const result = await archives.listReplays({
        ...page,
        ...(namePrefix !== undefined && { namePrefix }),
        ...(state !== undefined && { state }),
        ...(eventSourceArn !== undefined && { eventSourceArn }),
      });
      return { Replays: result.items.map(replaySummaryOut), NextToken: result.nextToken };
    },
  };
  const busway: Record<string, OperationHandler> = {
    /** DescribeReplay plus the counts: archived events in the window when it started, and replayed so far. */
    async GetReplayProgress(input) {
      const v = new WireValidator();
      const name = v.string(input.ReplayName, 'replayName', { ...REPLAY_NAME, required: true });
      v.throwIfInvalid();
      const replay = await archives.describeReplay(name!);
      return {
        ...replaySummaryOut(replay),
        ReplayArn: replay.arn,
        EventsReplayed: replay.eventsReplayed,
        EventsTotal: replay.eventsTotal,
      };
    },
  };
  return new Map([
    ...Object.entries(operations).map(([name, handler]) => [`AWSEvents.${name}`, handler] as const),
    ...Object.entries(busway).map(([name, handler]) => [`Busway.${name}`, handler] as const),
  ]);
}

// --- storage sinks --------------------------------------------------------------------------------------

function sinkOut(sink: SinkRecord): Record<string, unknown> {
  const settings = sink.settings as unknown as SinkSettings;
  const destination = settings.destination;
  return {
    Name: sink.name,
    SinkArn: sink.arn,
    Destination:
      destination.type === 'local'
        ? { Type: 'LOCAL', Directory: destination.directory }
        : {
            Type: 'S3',
            Bucket: destination.bucket,
            Prefix: destination.prefix,
            Endpoint: destination.endpoint,
            Region: destination.region,
            ForcePathStyle: destination.forcePathStyle,
          },
    KeyTemplate: settings.keyTemplate,
    MaxBatchBytes: settings.maxBatchBytes,
    MaxBatchSeconds: settings.maxBatchSeconds,
    Compression: settings.compression === 'gzip' ? 'GZIP' : 'NONE',
    CreationTime: epochSeconds(sink.createdAt),
  };
}

export function createSinkOperations(sinks: SinkService): Map<string, OperationHandler> {
  const operations: Record<string, OperationHandler> = {
    async CreateSink(input) {
      const v = new WireValidator();
      const name = v.string(input.Name, 'name', { ...SINK_NAME, required: true });
      const destination = v.object(input.Destination, 'destination', { required: true });
      const type =
        destination === undefined
          ? undefined
          : v.string(destination.Type, 'destination.type', { enum: ['LOCAL', 'S3'], required: true });
      const directory = v.string(destination?.Directory, 'destination.directory', { min: 1, max: 1024 });
      const bucket = v.string(destination?.Bucket, 'destination.bucket', {
        min: 3,
        max: 63,
        pattern: '[a-z0-9][a-z0-9.\\-]*[a-z0-9]',
      });
      const prefix = v.string(destination?.Prefix, 'destination.prefix', { max: 512 });
      const endpoint = v.string(destination?.Endpoint, 'destination.endpoint', { max: 1024 });
      const region = v.string(destination?.Region, 'destination.region', { max: 64 });
      const forcePathStyle = v.boolean(destination?.ForcePathStyle, 'destination.forcePathStyle');
      const keyTemplate = v.string(input.KeyTemplate, 'keyTemplate', { min: 1, max: 1024, required: true });
      const maxBatchBytes = v.integer(input.MaxBatchBytes, 'maxBatchBytes', { min: 1, max: 1_073_741_824 });
      const maxBatchSeconds = v.integer(input.MaxBatchSeconds, 'maxBatchSeconds', { min: 1, max: 86_400 });
      const compression = v.string(input.Compression, 'compression', { enum: ['NONE', 'GZIP'] });
      v.throwIfInvalid();
      const sink = await sinks.createSink(name!, {
        destination:
          type === 'LOCAL'
            ? { type: 'local', directory: directory ?? '' }
            : {
                type: 's3',
                bucket: bucket ?? '',
                ...(prefix !== undefined && { prefix }),
                ...(endpoint !== undefined && { endpoint }),
                ...(region !== undefined && { region }),
                ...(forcePathStyle !== undefined && { forcePathStyle }),
              },
        keyTemplate: keyTemplate!,
        ...(maxBatchBytes !== undefined && { maxBatchBytes }),
        ...(maxBatchSeconds !== undefined && { maxBatchSeconds }),
        ...(compression !== undefined && { compression: compression === 'GZIP' ? 'gzip' : 'none' }),
      });
      return { SinkArn: sink.arn, CreationTime: epochSeconds(sink.createdAt) };
    },

    async DescribeSink(input) {
      const v = new WireValidator();
      const name = v.string(input.Name, 'name', { ...SINK_NAME, required: true });
      v.throwIfInvalid();
      const sink = await sinks.describeSink(name!);
      return { ...sinkOut(sink.record), PendingEvents: sink.pendingEvents, Duplicates: sink.duplicates };
    },

    async ListSinks(input) {
      const v = new WireValidator();
      const page = readPage(v, input);
      v.throwIfInvalid();
      const result = await sinks.listSinks(page);
      return { Sinks: result.items.map(sinkOut), NextToken: result.nextToken };
    },

    async DeleteSink(input) {
      const v = new WireValidator();
      const name = v.string(input.Name, 'name', { ...SINK_NAME, required: true });
      v.throwIfInvalid();
      await sinks.deleteSink(name!);
    },
  };
  return new Map(Object.entries(operations).map(([name, handler]) => [`Busway.${name}`, handler]));
}
