/**
 * The storage sink writer's crash recovery, driven directly on a real spool folder and a real local
 * destination: a spool file left by a killed process is written out at start, and the repeats of its
 * deliveries are recognised, but a record torn by the crash (its write never fsynced, so never
 * acknowledged) neither reaches an object nor swallows the retry of its delivery.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLocalDestination } from '../../../src/delivery/sinks/destinations.js';
import { createSinkWriter } from '../../../src/delivery/sinks/sink-writer.js';
import { createTempDir, removeDir } from '../../support/server.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) removeDir(dir);
});

function objectLines(dir: string): string[] {
  const out: string[] = [];
  const walk = (at: string): void => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ndjson'))
        out.push(...readFileSync(path, 'utf8').split('\n').filter(Boolean));
    }
  };
  walk(dir);
  return out.sort();
}

describe('sink writer recovery', () => {
  it('writes out a spool left by a crash, recognises repeats, and ignores the torn last record', async () => {
    const root = createTempDir('busway-sink-writer-');
    dirs.push(root);
    const spoolDir = join(root, 'spool');
    const output = join(root, 'out');
    mkdirSync(spoolDir);
    // As a killed process leaves it: two fsynced records, then a third whose write was cut short.
    writeFileSync(
      join(spoolDir, '01a23be7-a9d8-7014-9407-a863d2f54229-78f53c7a.spool'),
      `${JSON.stringify({ partition: 'p/', createdAt: 0 })}\n` +
        'd-1\t{"n":1}\n' +
        'd-2\t{"n":2}\n' +
        'd-3\t{"n":',
    );
    const writer = createSinkWriter({
      spoolDir,
      destination: createLocalDestination(output),
      maxBatchBytes: 1 << 20,
      maxBatchMs: 3_600_000,
      gzip: false,
    });
    try {
      // The engine delivers again what the dead process had not recorded: all three.
      await writer.append('p/', 'd-1', '{"n":1}');
      await writer.append('p/', 'd-2', '{"n":2}');
      await writer.append('p/', 'd-3', '{"n":3}');
      await writer.flushAll();
      expect(objectLines(output)).toStrictEqual(['{"n":1}', '{"n":2}', '{"n":3}']);
      expect(writer.stats()).toMatchObject({ duplicates: 2, pendingLines: 0, linesWritten: 3 });
      expect(readdirSync(spoolDir)).toStrictEqual([]);
    } finally {
      await writer.close();
    }
  });
});
