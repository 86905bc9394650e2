/**
 * Task tokens: a caller creates a task (Busway.CreateTask), hands its token to whoever does the work
 * (usually inside an event), and waits (Busway.WaitForTask); the worker answers with Step Functions'
 * callbacks (AWSStepFunctions.SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat), so code written
 * for Step Functions' `.waitForTaskToken` works unchanged (docs/task-tokens.md).
 *
 * As in Step Functions: a task times out `timeoutSeconds` after its creation (`States.Timeout`), and,
 * with `heartbeatSeconds`, when no heartbeat came within that many seconds of the previous one (or of
 * the creation: `States.HeartbeatTimeout`). A callback for a task already answered or timed out gets
 * TaskTimedOut; a token this server never issued gets InvalidToken (not ours) or TaskDoesNotExist
 * (ours, but unknown here: pruned, or from another data dir).
 *
 * Timeouts are recorded lazily, when the task is next read or answered, so no timer writes to the
 * store; a waiter's timer only wakes it at the deadline. Waiters are woken in-process (queue-waiters);
 * with several processes on one store, a waiter sees another process's answer at the end of its poll.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  InvalidTaskOutputError,
  InvalidTaskTokenError,
  TaskDoesNotExistError,
  TaskTimedOutError,
} from '../errors.js';
import { createQueueWaiters } from '../queues/queue-waiters.js';
import type { Store, TaskStatus, TaskTokenRecord } from '../store/store.js';

/** Tokens are `bw1.` and 32 random bytes in base64url: unguessable, since holding one allows answering. */
const TOKEN_PATTERN = /^bw1\.[A-Za-z0-9_-]{43}$/;
/** Closed tasks are kept a day, so late answers get TaskTimedOut rather than TaskDoesNotExist. */
export const TASK_RETENTION_MS = 24 * 60 * 60 * 1000;
const PRUNE_INTERVAL_MS = 60_000;
/** Step Functions' text for an answer to a closed task (what its SDK users see and search for). */
const CLOSED_MESSAGE = "Task Timed Out: 'Provided task does not exist anymore'";

export interface TaskView {
  status: TaskStatus;
  /** When the task times out (epoch ms), whatever its state. */
  timeoutAt: number;
  heartbeatDeadline?: number;
  output?: string;
  error?: string;
  cause?: string;
}

export interface TaskTokenService {
  createTask(options: { timeoutSeconds: number; heartbeatSeconds?: number }): Promise<{
    taskToken: string;
    timeoutAt: number;
  }>;
  sendSuccess(taskToken: string, output: string): Promise<void>;
  sendFailure(taskToken: string, failure: { error?: string; cause?: string }): Promise<void>;
  sendHeartbeat(taskToken: string): Promise<void>;
  /** The task once it is closed, or as it is after `waitMs` (or when `signal` aborts). */
  waitForTask(taskToken: string, waitMs: number, signal?: AbortSignal): Promise<TaskView>;
  /** Ends every wait at once (shutdown). */
  close(): void;
}

export function createTaskTokenService(store: Store, options: { now?: () => number } = {}): TaskTokenService {
  const now = options.now ?? Date.now;
  const waiters = createQueueWaiters();
  let lastPrune = 0;
  let closed = false;

  const hashOf = (taskToken: string): string => {
    if (!TOKEN_PATTERN.test(taskToken)) {
      throw new InvalidTaskTokenError(
        "Invalid Token: 'The task token is not one Busway issued; pass the TaskToken that Busway.CreateTask returned, unchanged.'",
      );
    }
    return createHash('sha256').update(taskToken).digest('hex');
  };

  /** The task with a passed deadline recorded as its timeout. */
  const current = async (tokenHash: string): Promise<TaskTokenRecord | undefined> => {
    const task = await store.getTaskToken(tokenHash);
    if (task === undefined || task.status !== 'pending') return task;
    const at = now();
    const timeout = timeoutOf(task, at);
    if (timeout === undefined) return task;
    await store.expireTaskToken(tokenHash, timeout, at);
    return store.getTaskToken(tokenHash);
  };

  const refuse = async (tokenHash: string, outcome: 'not-found' | 'closed' | 'expired'): Promise<never> => {
    if (outcome === 'not-found') {
      throw new TaskDoesNotExistError(
        "Task Does Not Exist: 'No task of this Busway server has this token (it may have been pruned a day after it closed)'",
      );
    }
    if (outcome === 'expired') {
      await current(tokenHash); // records the timeout, so the waiter sees it
      waiters.notify(tokenHash);
    }
    throw new TaskTimedOutError(CLOSED_MESSAGE);
  };

  return {
    async createTask({ timeoutSeconds, heartbeatSeconds }) {
      const createdAt = now();
      if (createdAt - lastPrune >= PRUNE_INTERVAL_MS) {
        lastPrune = createdAt;
        await store.pruneTaskTokens(createdAt - TASK_RETENTION_MS);
      }
      const taskToken = `bw1.${randomBytes(32).toString('base64url')}`;
      const timeoutAt = createdAt + timeoutSeconds * 1000;
      await store.createTaskToken({
        tokenHash: hashOf(taskToken),
        status: 'pending',
        createdAt,
        timeoutAt,
        ...(heartbeatSeconds !== undefined && {
          heartbeatMs: heartbeatSeconds * 1000,
          heartbeatDeadline: createdAt + heartbeatSeconds * 1000,
        }),
      });
      return { taskToken, timeoutAt };
    },

    async sendSuccess(taskToken, output) {
      const tokenHash = hashOf(taskToken);
      try {
        JSON.parse(output);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new InvalidTaskOutputError(`Invalid Output: 'The output must be JSON text: ${reason}'`);
      }
      const outcome = await store.completeTaskToken(tokenHash, { status: 'succeeded', output }, now());
      if (outcome !== 'completed') await refuse(tokenHash, outcome);
      waiters.notify(tokenHash);
    },

    async sendFailure(taskToken, failure) {
      const tokenHash = hashOf(taskToken);
      const outcome = await store.completeTaskToken(tokenHash, { status: 'failed', ...failure }, now());
      if (outcome !== 'completed') await refuse(tokenHash, outcome);
      waiters.notify(tokenHash);
    },

    async sendHeartbeat(taskToken) {
      const tokenHash = hashOf(taskToken);
      const outcome = await store.heartbeatTaskToken(tokenHash, now());
      if (outcome !== 'extended') await refuse(tokenHash, outcome);
    },

    async waitForTask(taskToken, waitMs, signal) {
      const tokenHash = hashOf(taskToken);
      const endAt = now() + waitMs;
      for (;;) {
        // Armed before reading, so an answer between the read and the sleep is not missed.
        const waiter = waiters.arm(tokenHash);
        try {
          const task = await current(tokenHash);
          if (task === undefined) return refuse(tokenHash, 'not-found');
          const at = now();
          if (task.status !== 'pending' || at >= endAt || closed || signal?.aborted === true) {
            return viewOf(task);
          }
          const deadline = Math.min(endAt, task.timeoutAt, task.heartbeatDeadline ?? Infinity);
          await sleepUntil(waiter.woken, Math.max(0, deadline - at), signal);
        } finally {
          waiter.dispose();
        }
      }
    },

    close() {
      closed = true;
      waiters.wakeAll();
    },
  };
}

/** The timeout a pending task has reached by `at`, if any. */
function timeoutOf(task: TaskTokenRecord, at: number): { error: string; cause: string } | undefined {
  if (at >= task.timeoutAt) {
    const seconds = Math.round((task.timeoutAt - task.createdAt) / 1000);
    return { error: 'States.Timeout', cause: `The task was not answered within its ${seconds} s timeout.` };
  }
  if (task.heartbeatDeadline !== undefined && at >= task.heartbeatDeadline) {
    const seconds = Math.round((task.heartbeatMs ?? 0) / 1000);
    return {
      error: 'States.HeartbeatTimeout',
      cause: `No heartbeat (SendTaskHeartbeat) came within the task's ${seconds} s heartbeat timeout.`,
    };
  }
  return undefined;
}

function viewOf(task: TaskTokenRecord): TaskView {
  return {
    status: task.status,
    timeoutAt: task.timeoutAt,
    ...(task.heartbeatDeadline !== undefined && { heartbeatDeadline: task.heartbeatDeadline }),
    ...(task.output !== undefined && { output: task.output }),
    ...(task.error !== undefined && { error: task.error }),
    ...(task.cause !== undefined && { cause: task.cause }),
  };
}

function sleepUntil(woken: Promise<void>, ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    void woken.then(done);
  });
}
