/**
 * Task-token operations (docs/task-tokens.md):
 *
 * Step Functions' callbacks, in its wire format (`X-Amz-Target: AWSStepFunctions.*`, JSON 1.0, signed
 * for the service `states`, camelCase members), so `@aws-sdk/client-sfn` pointed at Busway works:
 *   SendTaskSuccess   {taskToken, output}          -> {}
 *   SendTaskFailure   {taskToken, error?, cause?}  -> {}
 *   SendTaskHeartbeat {taskToken}                  -> {}
 * Errors: InvalidToken, TaskDoesNotExist, TaskTimedOut, InvalidOutput, ValidationException.
 *
 * Busway's own (`Busway.*`, signed for `busway`), for the SDK's putEventAndWait:
 *   CreateTask  {TimeoutSeconds?, HeartbeatSeconds?} -> {TaskToken, TimeoutAt}
 *   WaitForTask {TaskToken, WaitTimeSeconds?}        -> {Status, Output?, Error?, Cause?, TimeoutAt}
 * WaitForTask answers as soon as the task is closed (or times out), else after WaitTimeSeconds with
 * Status PENDING; callers poll again.
 */
import type { TaskStatus } from '../../store/store.js';
import type { TaskTokenService } from '../../tasks/task-tokens.js';
import type { OperationHandler } from '../aws-json/protocol.js';
import { WireValidator } from '../validation.js';

/** Step Functions' limits (service model: TaskToken 1-2048, SensitiveData 262144, Error 256, Cause 32768). */
const TASK_TOKEN = { min: 1, max: 2048 };
const OUTPUT = { max: 262_144 };
const ERROR = { max: 256 };
const CAUSE = { max: 32_768 };
/** Step Functions' largest TimeoutSeconds / HeartbeatSeconds. */
export const MAX_TASK_TIMEOUT_SECONDS = 99_999_999;
export const DEFAULT_TASK_TIMEOUT_SECONDS = 3600;
/** A long poll holds a connection; 20 s, as SQS's ReceiveMessage, stays below common proxy timeouts. */
export const MAX_WAIT_TIME_SECONDS = 20;

const WIRE_STATUSES: Readonly<Record<TaskStatus, string>> = {
  pending: 'PENDING',
  succeeded: 'SUCCEEDED',
  failed: 'FAILED',
  'timed-out': 'TIMED_OUT',
};

const seconds = (ms: number): number => ms / 1000;

export function createTaskTokenOperations(tasks: TaskTokenService): Map<string, OperationHandler> {
  const stepFunctions: Record<string, OperationHandler> = {
    async SendTaskSuccess(input) {
      const v = new WireValidator();
      const output = v.string(input.output, 'output', { ...OUTPUT, required: true });
      const taskToken = v.string(input.taskToken, 'taskToken', { ...TASK_TOKEN, required: true });
      v.throwIfInvalid();
      await tasks.sendSuccess(taskToken ?? '', output ?? '');
    },

    async SendTaskFailure(input) {
      const v = new WireValidator();
      const cause = v.string(input.cause, 'cause', CAUSE);
      const error = v.string(input.error, 'error', ERROR);
      const taskToken = v.string(input.taskToken, 'taskToken', { ...TASK_TOKEN, required: true });
      v.throwIfInvalid();
      await tasks.sendFailure(taskToken ?? '', {
        ...(error !== undefined && { error }),
        ...(cause !== undefined && { cause }),
      });
    },

    async SendTaskHeartbeat(input) {
      const v = new WireValidator();
      const taskToken = v.string(input.taskToken, 'taskToken', { ...TASK_TOKEN, required: true });
      v.throwIfInvalid();
      await tasks.sendHeartbeat(taskToken ?? '');
    },
  };

  const busway: Record<string, OperationHandler> = {
    async CreateTask(input) {
      const v = new WireValidator();
      const limits = { min: 1, max: MAX_TASK_TIMEOUT_SECONDS };
      const heartbeatSeconds = v.integer(input.HeartbeatSeconds, 'heartbeatSeconds', limits);
      const timeoutSeconds = v.integer(input.TimeoutSeconds, 'timeoutSeconds', limits);
      v.throwIfInvalid();
      const timeout = timeoutSeconds ?? DEFAULT_TASK_TIMEOUT_SECONDS;
      if (heartbeatSeconds !== undefined && heartbeatSeconds >= timeout) {
        // Step Functions refuses the same state definition: a heartbeat timeout must be the shorter one.
        v.add(
          `Value '${heartbeatSeconds}' at 'heartbeatSeconds' failed to satisfy constraint: ` +
            `Member must be less than TimeoutSeconds (${timeout})`,
        );
        v.throwIfInvalid();
      }
      const task = await tasks.createTask({
        timeoutSeconds: timeout,
        ...(heartbeatSeconds !== undefined && { heartbeatSeconds }),
      });
      return { TaskToken: task.taskToken, TimeoutAt: seconds(task.timeoutAt) };
    },

    async WaitForTask(input, context) {
      const v = new WireValidator();
      const taskToken = v.string(input.TaskToken, 'taskToken', { ...TASK_TOKEN, required: true });
      const waitTime = v.integer(input.WaitTimeSeconds, 'waitTimeSeconds', {
        min: 0,
        max: MAX_WAIT_TIME_SECONDS,
      });
      v.throwIfInvalid();
      const task = await tasks.waitForTask(
        taskToken ?? '',
        (waitTime ?? MAX_WAIT_TIME_SECONDS) * 1000,
        context.signal,
      );
      return {
        Status: WIRE_STATUSES[task.status],
        TimeoutAt: seconds(task.timeoutAt),
        ...(task.output !== undefined && { Output: task.output }),
        ...(task.error !== undefined && { Error: task.error }),
        ...(task.cause !== undefined && { Cause: task.cause }),
      };
    },
  };

  return new Map([
    ...Object.entries(stepFunctions).map(([name, handler]) => [`AWSStepFunctions.${name}`, handler] as const),
    ...Object.entries(busway).map(([name, handler]) => [`Busway.${name}`, handler] as const),
  ]);
}
