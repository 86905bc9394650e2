/**
 * Storage sinks: a target kind of the delivery engine that writes each delivered event (after the
 * target's Input/InputPath/InputTransformer) as one NDJSON line into objects partitioned by a key
 * template, in a local folder or an S3-compatible bucket. A rule points at a sink with a target whose
 * ARN is `arn:aws:busway:REGION:ACCOUNT:sink/NAME`; sinks are managed with `Busway.CreateSink`,
 * `DescribeSink`, `ListSinks` and `DeleteSink`. Retries, dead letters and attempts are the delivery
 * engine's, as for any target: a failed spool write is a retryable failure.
 */
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { ArnContext } from '../../bus/arns.js';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import type { Page, SinkRecord, Store } from '../../store/store.js';
import type { TargetKind } from '../delivery-engine.js';
import { DeliveryFailure } from '../target-result.js';
import { createLocalDestination, createS3Destination, type SinkDestination } from './destinations.js';
import { checkKeyTemplate, compileKeyTemplate, type KeyTemplate } from './key-template.js';
import { createSinkWriter, type SinkWriter } from './sink-writer.js';

export const DEFAULT_MAX_BATCH_BYTES = 5 * 1024 * 1024;
export const DEFAULT_MAX_BATCH_SECONDS = 60;

export type SinkDestinationSettings =
  | { type: 'local'; directory: string }
  | {
      type: 's3';
      bucket: string;
      prefix?: string;
      endpoint?: string;
      region?: string;
      forcePathStyle?: boolean;
    };

export interface SinkSettings {
  destination: SinkDestinationSettings;
  keyTemplate: string;
  maxBatchBytes: number;
  maxBatchSeconds: number;
  compression: 'none' | 'gzip';
}

export type SinkSettingsInput = Omit<SinkSettings, 'maxBatchBytes' | 'maxBatchSeconds' | 'compression'> &
  Partial<Pick<SinkSettings, 'maxBatchBytes' | 'maxBatchSeconds' | 'compression'>>;

export interface SinkService {
  createSink(name: string, settings: SinkSettingsInput): Promise<SinkRecord>;
  describeSink(name: string): Promise<{ record: SinkRecord; pendingEvents: number; duplicates: number }>;
  listSinks(page: { nextToken?: string; limit?: number }): Promise<Page<SinkRecord>>;
  deleteSink(name: string): Promise<void>;
  /** The delivery engine's target kind for sink ARNs. */
  readonly targetKind: TargetKind;
  /** Opens the writer of every sink that left spool files, so they are flushed after a crash. */
  recover(): Promise<void>;
  /** Closes and flushes every batch of every sink. */
  flushAll(): Promise<void>;
  close(): Promise<void>;
}

export interface SinkServiceOptions extends ArnContext {
  /** `<data-dir>/sinks`: spool files, one folder per sink. */
  spoolRoot: string;
  /** Local sinks write under this folder. */
  localRoot: string;
  log?: { error(obj: object, msg: string): void };
  now?: () => number;
}

const SINK_ARN = /^arn:aws[\w-]*:busway:([a-z0-9-]*):(\d{12}):sink\/([.\-_A-Za-z0-9]+)$/;

export function sinkArn(ctx: ArnContext, name: string): string {
  return `arn:aws:busway:${ctx.region}:${ctx.accountId}:sink/${name}`;
}

export function isSinkArn(arn: string): boolean {
  return SINK_ARN.test(arn);
}

interface OpenSink {
  writer: SinkWriter;
  keyTemplate: KeyTemplate;
}

/** A line of NDJSON: the input as it is when it holds no line break, else as one JSON line. */
export function ndjsonLine(input: string): string {
  if (!/[\r\n\u2028\u2029]/.test(input)) return input;
  try {
    return JSON.stringify(JSON.parse(input));
  } catch {
    return JSON.stringify(input);
  }
}

export function createSinkService(store: Store, options: SinkServiceOptions): SinkService {
  const open = new Map<string, Promise<OpenSink>>();

  function localDirectory(directory: string): string {
    const root = resolve(options.localRoot);
    const path = resolve(root, directory);
    const inside = relative(root, path);
    if (inside.startsWith('..') || isAbsolute(inside)) {
      throw new ValidationError(
        `Destination.Directory ${directory} is outside the sink root ${root} (--sink-root); give a folder inside it.`,
      );
    }
    return path;
  }

  function destinationOf(settings: SinkSettings): SinkDestination {
    const d = settings.destination;
    return d.type === 'local'
      ? createLocalDestination(localDirectory(d.directory))
      : createS3Destination(d, options.region);
  }

  function openSink(record: SinkRecord): Promise<OpenSink> {
    let sink = open.get(record.name);
    if (sink === undefined) {
      const settings = record.settings as unknown as SinkSettings;
      sink = Promise.resolve({
        writer: createSinkWriter({
          spoolDir: join(options.spoolRoot, record.name),
          destination: destinationOf(settings),
          maxBatchBytes: settings.maxBatchBytes,
          maxBatchMs: settings.maxBatchSeconds * 1000,
          gzip: settings.compression === 'gzip',
          ...(options.log !== undefined && { log: options.log }),
          ...(options.now !== undefined && { now: options.now }),
        }),
        keyTemplate: compileKeyTemplate(settings.keyTemplate),
      });
      open.set(record.name, sink);
    }
    return sink;
  }

  async function sinkNamed(name: string): Promise<OpenSink | undefined> {
    const existing = open.get(name);
    if (existing !== undefined) return existing;
    const record = await store.getSink(name);
    return record === undefined ? undefined : openSink(record);
  }

  const targetKind: TargetKind = {
    name: 'storage-sink',
    matches: isSinkArn,
    async invoke({ target, delivery, event, input }) {
      const match = SINK_ARN.exec(target.arn);
      if (match === null || match[1] !== options.region || match[2] !== options.accountId) {
        throw new DeliveryFailure(
          `Sink ${target.arn} is not a sink of this server (region ${options.region}, account ${options.accountId}).`,
          { code: 'NO_RESOURCE', retryable: false },
        );
      }
      const sink = await sinkNamed(match[3]!);
      if (sink === undefined) {
        throw new DeliveryFailure(`Sink ${match[3]} does not exist.`, {
          code: 'NO_RESOURCE',
          retryable: false,
        });
      }
      const partition = sink.keyTemplate(event);
      try {
        await sink.writer.append(partition, delivery.id, ndjsonLine(input));
      } catch (error) {
        throw new DeliveryFailure(`Could not spool the event for sink ${match[3]}: ${String(error)}`, {
          code: 'INTERNAL_ERROR',
          retryable: true,
          cause: error,
        });
      }
      return { responseExcerpt: `spooled for ${partition}` };
    },
  };

  return {
    targetKind,

    async createSink(name, input) {
      const problem = checkKeyTemplate(input.keyTemplate);
      if (problem !== undefined) throw new ValidationError(problem);
      if (input.destination.type === 'local') {
        if (input.destination.directory === '')
          throw new ValidationError('Destination.Directory is required for LOCAL sinks.');
        localDirectory(input.destination.directory);
      } else if (input.destination.bucket === '') {
        throw new ValidationError('Destination.Bucket is required for S3 sinks.');
      }
      const at = (options.now ?? Date.now)();
      const settings: SinkSettings = {
        destination: input.destination,
        keyTemplate: input.keyTemplate,
        maxBatchBytes: input.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES,
        maxBatchSeconds: input.maxBatchSeconds ?? DEFAULT_MAX_BATCH_SECONDS,
        compression: input.compression ?? 'none',
      };
      const record: SinkRecord = {
        name,
        arn: sinkArn(options, name),
        settings: settings as unknown as Record<string, unknown>,
        createdAt: at,
        updatedAt: at,
      };
      if ((await store.createSink(record)) === 'exists')
        throw new ConflictError(`Sink ${name} already exists.`);
      return record;
    },

    async describeSink(name) {
      const record = await store.getSink(name);
      if (record === undefined) throw new NotFoundError(`Sink ${name} does not exist.`);
      const stats = (await open.get(name))?.writer.stats();
      return { record, pendingEvents: stats?.pendingLines ?? 0, duplicates: stats?.duplicates ?? 0 };
    },

    async listSinks(page) {
      return store.listSinks({
        limit: page.limit ?? 100,
        ...(page.nextToken !== undefined && { nextToken: page.nextToken }),
      });
    },

    async deleteSink(name) {
      if ((await store.getSink(name)) === undefined) throw new NotFoundError(`Sink ${name} does not exist.`);
      // What it holds is written out first: its events were acknowledged.
      const sink = open.get(name);
      open.delete(name);
      await (await sink)?.writer.close();
      await store.deleteSink(name);
    },

    async recover() {
      for (let token: string | undefined, first = true; first || token !== undefined; first = false) {
        const page = await store.listSinks(
          token === undefined ? { limit: 100 } : { nextToken: token, limit: 100 },
        );
        for (const record of page.items) await openSink(record);
        token = page.nextToken;
      }
    },

    async flushAll() {
      for (const sink of open.values()) await (await sink).writer.flushAll();
    },

    async close() {
      for (const sink of open.values()) await (await sink).writer.close();
      open.clear();
    },
  };
}
