/**
 * The Store contract for task tokens (Step Functions-style callbacks), run by runStoreContract
 * (store-contract.ts) inside its suite, against the store it creates for each test.
 */
import { describe, expect, it } from 'vitest';

import type { Store, TaskTokenRecord } from '../store.js';

const T0 = 1_700_000_000_000;

export function taskTokenRecord(tokenHash: string, fields: Partial<TaskTokenRecord> = {}): TaskTokenRecord {
  return { tokenHash, status: 'pending', createdAt: T0, timeoutAt: T0 + 60_000, ...fields };
}

export function describeTaskTokensContract(getStore: () => Store): void {
  describe('task tokens', () => {
    it('creates a pending task once and reads it back unchanged', async () => {
      const store = getStore();
      const task = taskTokenRecord('h1', { heartbeatMs: 5000, heartbeatDeadline: T0 + 5000 });
      expect(await store.createTaskToken(task)).toBe('created');
      expect(await store.createTaskToken(taskTokenRecord('h1'))).toBe('exists');
      expect(await store.getTaskToken('h1')).toStrictEqual(task);
      expect(await store.getTaskToken('unknown')).toBeUndefined();
    });

    it('completes a live task once; a second answer is refused as closed', async () => {
      const store = getStore();
      await store.createTaskToken(taskTokenRecord('h1'));
      await store.createTaskToken(taskTokenRecord('h2'));
      expect(await store.completeTaskToken('h1', { status: 'succeeded', output: '{"ok":1}' }, T0 + 1)).toBe(
        'completed',
      );
      expect(
        await store.completeTaskToken('h2', { status: 'failed', error: 'E', cause: 'why' }, T0 + 2),
      ).toBe('completed');
      expect(await store.getTaskToken('h1')).toStrictEqual({
        ...taskTokenRecord('h1'),
        status: 'succeeded',
        output: '{"ok":1}',
        closedAt: T0 + 1,
      });
      expect(await store.getTaskToken('h2')).toMatchObject({ status: 'failed', error: 'E', cause: 'why' });
      expect(await store.completeTaskToken('h1', { status: 'failed' }, T0 + 3)).toBe('closed');
      expect(await store.heartbeatTaskToken('h1', T0 + 3)).toBe('closed');
      expect(await store.completeTaskToken('nope', { status: 'failed' }, T0 + 3)).toBe('not-found');
      expect(await store.heartbeatTaskToken('nope', T0 + 3)).toBe('not-found');
    });

    it('refuses callbacks after the timeout or a missed heartbeat, until the expiry is recorded', async () => {
      const store = getStore();
      await store.createTaskToken(taskTokenRecord('h1', { timeoutAt: T0 + 100 }));
      await store.createTaskToken(
        taskTokenRecord('h2', { heartbeatMs: 10, heartbeatDeadline: T0 + 10, timeoutAt: T0 + 1000 }),
      );
      expect(await store.completeTaskToken('h1', { status: 'succeeded', output: '1' }, T0 + 100)).toBe(
        'expired',
      );
      expect(await store.heartbeatTaskToken('h2', T0 + 10)).toBe('expired');
      expect(await store.expireTaskToken('h1', { error: 'States.Timeout', cause: 'c' }, T0 + 99)).toBe(false);
      expect(await store.expireTaskToken('h1', { error: 'States.Timeout', cause: 'c' }, T0 + 100)).toBe(true);
      expect(await store.expireTaskToken('h1', { error: 'States.Timeout', cause: 'c' }, T0 + 101)).toBe(
        false,
      );
      expect(await store.getTaskToken('h1')).toMatchObject({
        status: 'timed-out',
        error: 'States.Timeout',
        cause: 'c',
        closedAt: T0 + 100,
      });
      expect(await store.completeTaskToken('h1', { status: 'succeeded', output: '1' }, T0 + 200)).toBe(
        'closed',
      );
    });

    it('moves the heartbeat deadline on each heartbeat, never the timeout', async () => {
      const store = getStore();
      await store.createTaskToken(
        taskTokenRecord('h1', { heartbeatMs: 10, heartbeatDeadline: T0 + 10, timeoutAt: T0 + 1000 }),
      );
      await store.createTaskToken(taskTokenRecord('h2'));
      expect(await store.heartbeatTaskToken('h1', T0 + 9)).toBe('extended');
      expect(await store.heartbeatTaskToken('h2', T0 + 9)).toBe('extended');
      expect(await store.getTaskToken('h1')).toMatchObject({
        heartbeatDeadline: T0 + 19,
        timeoutAt: T0 + 1000,
      });
      expect(await store.getTaskToken('h2')).toStrictEqual(taskTokenRecord('h2'));
      expect(await store.completeTaskToken('h1', { status: 'succeeded', output: '1' }, T0 + 15)).toBe(
        'completed',
      );
    });

    it('prunes closed tasks by close time and pending ones by timeout', async () => {
      const store = getStore();
      await store.createTaskToken(taskTokenRecord('closed-early'));
      await store.completeTaskToken('closed-early', { status: 'failed' }, T0 + 1);
      await store.createTaskToken(taskTokenRecord('closed-late'));
      await store.completeTaskToken('closed-late', { status: 'failed' }, T0 + 500);
      await store.createTaskToken(taskTokenRecord('abandoned', { timeoutAt: T0 + 100 }));
      await store.createTaskToken(taskTokenRecord('live', { timeoutAt: T0 + 10_000 }));
      expect(await store.pruneTaskTokens(T0 + 200)).toBe(2);
      expect(await store.getTaskToken('closed-early')).toBeUndefined();
      expect(await store.getTaskToken('abandoned')).toBeUndefined();
      expect(await store.getTaskToken('closed-late')).toBeDefined();
      expect(await store.getTaskToken('live')).toBeDefined();
    });
  });
}
