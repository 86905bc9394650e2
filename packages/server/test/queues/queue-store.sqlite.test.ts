/**
 * The SQLite queries behind queues read their indexes: a receive or a count never reads other queues'
 * messages, and a receive never sorts a queue's backlog (EXPLAIN QUERY PLAN, as store/sqlite.test.ts
 * does for deliveries).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createSqliteStore, QUERIES_DIR } from '../../src/store/sqlite/sqlite-store.js';

let dir: string;
let db: Database.Database;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'busway-queue-plans-'));
  const path = join(dir, 'busway.db');
  await createSqliteStore({ path }).close();
  db = new Database(path, { readonly: true });
});
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function plan(name: string): string {
  const sql = readFileSync(new URL(`${name}.sql`, QUERIES_DIR), 'utf8');
  const params = Object.fromEntries([...sql.matchAll(/:([a-z_]+)/g)].map((m) => [m[1], 1]));
  return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as Array<{ detail: string }>)
    .map((row) => row.detail)
    .join('\n');
}

describe('queue query plans', () => {
  it('standard receive: a range of queue_messages_by_visibility in order, no sort', () => {
    const p = plan('list_receivable_queue_messages');
    expect(p).toContain('USING INDEX queue_messages_by_visibility (queue_name=? AND visible_at<?)');
    expect(p).not.toContain('TEMP B-TREE');
  });

  it('FIFO receive: the queue in seq order, probing each group by index, no sort', () => {
    const p = plan('list_receivable_fifo_queue_messages');
    expect(p).toContain('USING INDEX queue_messages_in_order (queue_name=?)');
    expect(p).toMatch(/queue_messages_by_group \(queue_name=\? AND group_id=\? AND visible_at>\?\)/);
    expect(p).not.toContain('TEMP B-TREE');
  });

  it('receipt handles, counts, next visibility, retention and moves use their indexes', () => {
    expect(plan('get_queue_message')).toContain('USING INDEX queue_messages_by_id (queue_name=? AND id=?)');
    expect(plan('count_queue_messages')).toMatch(/queue_messages_\w+ \(queue_name=\?\)/);
    expect(plan('get_next_visible_at')).toContain(
      'queue_messages_by_visibility (queue_name=? AND visible_at>?)',
    );
    expect(plan('prune_queue_messages')).toContain(
      'queue_messages_by_enqueue (queue_name=? AND enqueued_at<?)',
    );
    expect(plan('list_movable_queue_messages')).toContain(
      'USING INDEX queue_messages_in_order (queue_name=?)',
    );
    expect(plan('list_movable_queue_messages')).not.toContain('TEMP B-TREE');
    expect(plan('get_queue_deduplication')).toContain('PRIMARY KEY');
  });
});
