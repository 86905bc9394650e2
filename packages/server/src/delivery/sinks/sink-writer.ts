/**
 * One storage sink's writer: NDJSON lines grouped by partition (the rendered key template), batched by
 * size and age into objects of the sink's destination.
 *
 * Crash safety, by write-ahead spool: every partition's open batch is also a spool file under the data
 * dir (`<spoolDir>/<batchId>.spool`: a header line naming the partition, then `deliveryId<TAB>line` per
 * event). `append` resolves only after its line is written and fsynced there; appends arriving while a
 * sync runs share the next one (group commit, as the SQLite store does). A delivery is acknowledged
 * after `append` resolves, so an acknowledged line is on disk before the delivery engine records it.
 *
 * A full or old batch is closed (new lines go to a new batch) and flushed: its object is written under
 * `<partition><batchId>.ndjson[.gz]`, then its spool file is deleted. At start, spool files left by a
 * crash are flushed again under the same batch id, hence the same key: a batch flushed just before the
 * crash is replaced by the same content, not duplicated.
 *
 * Duplicates: a line spooled whose delivery was not yet recorded when the process died is delivered
 * again after the restart. Delivery ids of recovered spools are remembered, and such a repeat is counted
 * (`duplicates`) and acknowledged without a second line. A repeat of a line whose batch was already
 * flushed and deleted before the crash is not recognised and appears twice in the objects.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { timeOrderedId } from '../../ids/time-ordered-id.js';
import type { SinkDestination } from './destinations.js';

const gzipAsync = promisify(gzip);

export interface SinkWriterOptions {
  spoolDir: string;
  destination: SinkDestination;
  maxBatchBytes: number;
  maxBatchMs: number;
  gzip: boolean;
  log?: { error(obj: object, msg: string): void };
  now?: () => number;
}

interface Batch {
  id: string;
  partition: string;
  path: string;
  file?: FileHandle | undefined;
  lines: string[];
  bytes: number;
  openedAt: number;
  /** Lines waiting for the next write + fsync, with their callers. */
  queued: Array<{ record: string; line: string; resolve(): void; reject(error: Error): void }>;
  syncing: boolean;
  /** Closed to new lines: flushing (or waiting to be retried). */
  closed: boolean;
  /** Resolves when the last write + fsync of this batch ended. */
  idle: Promise<void>;
}

export interface SinkWriterStats {
  /** Lines in open or unflushed batches. */
  pendingLines: number;
  objectsWritten: number;
  linesWritten: number;
  /** Repeated deliveries recognised after a restart (acknowledged, not written twice). */
  duplicates: number;
}

export interface SinkWriter {
  append(partition: string, deliveryId: string, line: string): Promise<void>;
  /** Closes and flushes every batch (graceful shutdown, tests). */
  flushAll(): Promise<void>;
  stats(): SinkWriterStats;
  close(): Promise<void>;
}

export function createSinkWriter(options: SinkWriterOptions): SinkWriter {
  const now = options.now ?? Date.now;
  mkdirSync(options.spoolDir, { recursive: true });
  const open_ = new Map<string, Batch>();
  const flushing = new Set<Promise<void>>();
  const draining = new Set<Promise<void>>();
  const unflushed = new Set<Batch>();
  const recoveredDeliveries = new Set<string>();
  const stats = { objectsWritten: 0, linesWritten: 0, duplicates: 0 };
  let closed = false;

  // Spool files left by a previous process: their lines were acknowledged (or may have been).
  for (const name of readdirSync(options.spoolDir)) {
    if (!name.endsWith('.spool')) continue;
    const path = join(options.spoolDir, name);
    const [header, ...records] = readFileSync(path, 'utf8').split('\n');
    let partition: string;
    try {
      partition = (JSON.parse(header ?? '') as { partition: string }).partition;
    } catch {
      continue; // a spool whose header never reached the disk holds no acknowledged line
    }
    // What follows the last line break is a record torn by the crash ('' when none was): its write was
    // never fsynced, so never acknowledged, and its delivery will be retried. Taking its id as recovered
    // would answer that retry as a duplicate of a line that is not there.
    records.pop();
    const lines: string[] = [];
    for (const record of records) {
      const tab = record.indexOf('\t');
      if (tab < 0) continue;
      recoveredDeliveries.add(record.slice(0, tab));
      lines.push(record.slice(tab + 1));
    }
    const batch = newBatch(name.slice(0, -'.spool'.length), partition, path);
    batch.lines = lines;
    batch.closed = true;
    startFlush(batch);
  }

  const timer = setInterval(
    () => {
      const at = now();
      for (const batch of open_.values()) if (at - batch.openedAt >= options.maxBatchMs) closeBatch(batch);
      for (const batch of unflushed) if (![...flushing].length) startFlush(batch);
    },
    Math.max(50, Math.min(1000, Math.floor(options.maxBatchMs / 4))),
  );
  timer.unref();

  function newBatch(id: string, partition: string, path: string): Batch {
    return {
      id,
      partition,
      path,
      lines: [],
      bytes: 0,
      openedAt: now(),
      queued: [],
      syncing: false,
      closed: false,
      idle: Promise.resolve(),
    };
  }

  function closeBatch(batch: Batch): void {
    if (batch.closed) return;
    batch.closed = true;
    open_.delete(batch.partition);
    const drained = drainThenFlush(batch).finally(() => draining.delete(drained));
    draining.add(drained);
  }

  /** Lines queued or being synced belong to the closed batch: flush once all of them are on disk. */
  async function drainThenFlush(batch: Batch): Promise<void> {
    while (batch.syncing || batch.queued.length > 0) {
      if (batch.syncing) await batch.idle;
      else await sync(batch);
    }
    startFlush(batch);
  }

  async function sync(batch: Batch): Promise<void> {
    if (batch.syncing || batch.queued.length === 0) return;
    batch.syncing = true;
    const waiting = batch.queued;
    batch.queued = [];
    let done!: () => void;
    batch.idle = new Promise((resolve) => (done = resolve));
    try {
      if (batch.file === undefined) {
        batch.file = await open(batch.path, 'a');
        await batch.file.write(
          `${JSON.stringify({ partition: batch.partition, createdAt: batch.openedAt })}\n`,
        );
      }
      await batch.file.write(waiting.map((entry) => `${entry.record}\n`).join(''));
      await batch.file.sync();
      for (const entry of waiting) {
        batch.lines.push(entry.line);
        entry.resolve();
      }
    } catch (error) {
      for (const entry of waiting) entry.reject(error instanceof Error ? error : new Error(String(error)));
    } finally {
      batch.syncing = false;
      done();
    }
    if (batch.queued.length > 0) await sync(batch);
  }

  function startFlush(batch: Batch): void {
    unflushed.delete(batch);
    const running = flush(batch)
      .catch((error: unknown) => {
        // The spool stays: the next timer tick tries again; the lines are safe on disk meanwhile.
        unflushed.add(batch);
        options.log?.error(
          { err: error, batch: batch.id },
          'storage sink: writing an object failed; will retry',
        );
      })
      .finally(() => flushing.delete(running));
    flushing.add(running);
  }

  async function flush(batch: Batch): Promise<void> {
    await batch.file?.close();
    batch.file = undefined;
    if (batch.lines.length > 0) {
      const text = Buffer.from(`${batch.lines.join('\n')}\n`, 'utf8');
      const body = options.gzip ? await gzipAsync(text) : text;
      await options.destination.put(`${batch.partition}${batch.id}.ndjson${options.gzip ? '.gz' : ''}`, body);
      stats.objectsWritten++;
      stats.linesWritten += batch.lines.length;
    }
    await unlink(batch.path).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }

  return {
    append(partition, deliveryId, line) {
      if (closed) return Promise.reject(new Error('The storage sink is closed.'));
      if (recoveredDeliveries.delete(deliveryId)) {
        stats.duplicates++;
        return Promise.resolve();
      }
      let batch = open_.get(partition);
      if (batch === undefined) {
        // Time-ordered, so a partition's objects list in the order they were written.
        const id = `${timeOrderedId(now())}-${randomUUID().slice(0, 8)}`;
        batch = newBatch(id, partition, join(options.spoolDir, `${id}.spool`));
        open_.set(partition, batch);
      }
      const current = batch;
      current.bytes += Buffer.byteLength(line, 'utf8') + 1;
      const written = new Promise<void>((resolve, reject) => {
        current.queued.push({ record: `${deliveryId}\t${line}`, line, resolve, reject });
      });
      if (!current.syncing) setImmediate(() => void sync(current));
      if (current.bytes >= options.maxBatchBytes) closeBatch(current);
      return written;
    },
    async flushAll() {
      for (const batch of [...open_.values()]) closeBatch(batch);
      for (const batch of [...unflushed]) startFlush(batch);
      // A closed batch starts its flush once its last sync ended: wait for both kinds.
      while (draining.size > 0 || flushing.size > 0) {
        await Promise.allSettled([...draining, ...flushing]);
      }
    },
    stats() {
      let pendingLines = 0;
      for (const batch of open_.values()) pendingLines += batch.lines.length + batch.queued.length;
      for (const batch of unflushed) pendingLines += batch.lines.length;
      return { ...stats, pendingLines };
    },
    async close() {
      await this.flushAll();
      closed = true;
      clearInterval(timer);
      options.destination.close();
    },
  };
}
