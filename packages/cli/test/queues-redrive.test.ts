/**
 * `busway queues redrive`: the real CLI in a child process against a data dir prepared through the
 * real services (no server needed: the command opens the store itself).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp, loadConfig } from '@busway/server';

const BIN = new URL('../src/bin.ts', import.meta.url).pathname;
let dataDir: string;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'busway-redrive-'));
});
afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

function config() {
  return loadConfig({ env: {}, overrides: { dataDir, logLevel: 'silent' } });
}

function busway(...args: string[]) {
  return spawnSync(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', BIN, ...args, '--data-dir', dataDir],
    {
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
}

describe('busway queues redrive', () => {
  it('moves every message of a dead-letter queue back to the queue whose RedrivePolicy names it', async () => {
    const app = await buildApp(config());
    try {
      const dlq = await app.queues.createQueue({ name: 'orders-dlq' });
      await app.queues.createQueue({
        name: 'orders',
        attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 3 }) },
      });
      for (let i = 0; i < 25; i++) await app.queues.sendMessage('orders-dlq', { body: `m${i}` });
    } finally {
      await app.close();
    }
    const run = busway('queues', 'redrive', 'orders-dlq');
    expect(run.stderr).toContain('orders-dlq -> orders');
    expect(run.stdout).toBe('moved 25 message(s) from orders-dlq to orders\n');
    expect(run.status).toBe(0);
    const after = await buildApp(config());
    try {
      const counts = async (name: string) =>
        (await after.queues.getQueueAttributes(name, ['ApproximateNumberOfMessages']))[
          'ApproximateNumberOfMessages'
        ];
      expect(await counts('orders')).toBe('25');
      expect(await counts('orders-dlq')).toBe('0');
    } finally {
      await after.close();
    }
  }, 60_000);

  it('puts dead-lettered events back on a bus, leaving messages that are not events', async () => {
    const app = await buildApp(config());
    try {
      await app.queues.createQueue({ name: 'dlq' });
      const event = {
        version: '0',
        id: 'x',
        'detail-type': 'Order',
        source: 'shop',
        detail: { total: 3 },
        resources: [],
      };
      await app.queues.sendMessage('dlq', { body: JSON.stringify(event) });
      await app.queues.sendMessage('dlq', { body: 'not an event' });
    } finally {
      await app.close();
    }
    const run = busway('queues', 'redrive', 'dlq', '--to-bus', 'default');
    expect(run.stdout).toBe('moved 1 message(s) from dlq to bus default\n');
    expect(run.stderr).toContain('1 message(s) were not events and stay in dlq');
  }, 60_000);

  it('says what to do when no queue uses it as a dead-letter queue', async () => {
    const app = await buildApp(config());
    try {
      await app.queues.createQueue({ name: 'lonely' });
    } finally {
      await app.close();
    }
    const run = busway('queues', 'redrive', 'lonely');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('no queue has lonely as its dead-letter queue; pass --to QUEUE');
  }, 60_000);
});
