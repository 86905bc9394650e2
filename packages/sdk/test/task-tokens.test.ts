/**
 * putEventAndWait and waitForEvent on a real server: the event with the task token reaches a real
 * receiver through an API destination, which answers with `@aws-sdk/client-sfn` pointed at Busway
 * (SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat); waitForEvent reads the server's live tail.
 */
import {
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ANY_CREDENTIALS,
  startTestServer,
  TEST_REGION,
  type TestServer,
} from '../../server/test/support/server.js';
import {
  createBuswayClient,
  createEventRouter,
  InvalidArgumentError,
  ServiceCallError,
  TaskFailedError,
  TaskTimedOutError,
  taskTokenOf,
  WaitForEventTimeoutError,
  type BuswayClient,
} from '../src/index.js';
import { startReceiver, type Receiver } from './support/receivers.js';

let s: TestServer;
let busway: BuswayClient;
let sfn: SFNClient;
let worker: Receiver;
beforeAll(async () => {
  s = await startTestServer();
  busway = createBuswayClient({ endpoint: s.url, credentials: ANY_CREDENTIALS });
  sfn = new SFNClient({ endpoint: s.url, region: TEST_REGION, credentials: { ...ANY_CREDENTIALS } });
  // The worker: approves checks, rejects those of a blocked customer, ignores (never answers) "Slow Check".
  const router = createEventRouter({ auth: { value: 'worker-key' } })
    .on<{ customer: string }>('Credit Check', async (event) => {
      const taskToken = taskTokenOf(event);
      await sfn.send(new SendTaskHeartbeatCommand({ taskToken }));
      if (event.detail.customer === 'blocked') {
        await sfn.send(
          new SendTaskFailureCommand({ taskToken, error: 'CustomerBlocked', cause: 'on the blocklist' }),
        );
      } else {
        await sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify({ score: 710 }) }));
      }
    })
    .on('Slow Check', () => undefined);
  worker = await startReceiver(router.listener);
  await busway.registerApp({
    name: 'credit-worker',
    endpoint: worker.url,
    detailTypes: router.detailTypes,
    auth: { value: 'worker-key' },
  });
});
afterAll(async () => {
  sfn.destroy();
  busway.close();
  await worker.close();
  await s.close();
});

describe('putEventAndWait', () => {
  it('resolves with the output the consumer sent with SendTaskSuccess', async () => {
    const outcome = await busway.putEventAndWait<{ score: number }>(
      { source: 'loans', detailType: 'Credit Check', detail: { customer: 'c-1' } },
      { timeout: 30_000, heartbeat: 20_000 },
    );
    expect(outcome.output).toEqual({ score: 710 });
    const stored = await s.app.store.getEvent(outcome.eventId);
    expect(JSON.parse(stored?.envelope ?? '{}').detail).toEqual({
      customer: 'c-1',
      taskToken: outcome.taskToken,
    });
  });

  it('rejects with TaskFailedError carrying the error and cause of SendTaskFailure', async () => {
    const error = await busway
      .putEventAndWait(
        { source: 'loans', detailType: 'Credit Check', detail: { customer: 'blocked' } },
        { timeout: 30_000 },
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskFailedError);
    expect(error).toMatchObject({ error: 'CustomerBlocked', taskCause: 'on the blocklist' });
    expect((error as Error).message).toBe('The task failed with CustomerBlocked: on the blocklist');
  });

  it('rejects with TaskTimedOutError when nobody answers in time', async () => {
    const error = await busway
      .putEventAndWait({ source: 'loans', detailType: 'Slow Check', detail: {} }, { timeout: 1000 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskTimedOutError);
    expect(error).toMatchObject({ error: 'States.Timeout' });
  });

  it('refuses bad options, and says it needs a Busway endpoint when talking to AWS', async () => {
    const entry = { source: 's', detailType: 'd', detail: {} };
    await expect(busway.putEventAndWait(entry, {} as never)).rejects.toThrow(
      new InvalidArgumentError('timeout must be a positive number of milliseconds, got undefined.'),
    );
    await expect(busway.putEventAndWait(entry, { timeout: 5000, heartbeat: 5000 })).rejects.toThrow(
      /heartbeat \(5000 ms\) must be shorter than timeout \(5000 ms\)/,
    );
    await expect(busway.putEventAndWait({ ...entry, detail: '[]' }, { timeout: 5000 })).rejects.toThrow(
      /entry.detail must be a JSON object for putEventAndWait/,
    );
    const aws = createBuswayClient({ region: 'eu-west-1', credentials: ANY_CREDENTIALS });
    try {
      const error = await aws.putEventAndWait(entry, { timeout: 5000 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ServiceCallError);
      expect((error as Error).message).toMatch(
        /putEventAndWait needs a Busway server: give the client an endpoint/,
      );
    } finally {
      aws.close();
    }
    expect(() => taskTokenOf({ detail: {} })).toThrow(/no task token at detail.taskToken/);
  });
});

describe('waitForEvent', () => {
  it('resolves with the first event matching the pattern and the correlation values', async () => {
    const waiter = await busway.startWaitingForEvent({
      pattern: { source: ['kyc'], 'detail-type': ['Documents Verified'] },
      correlation: { 'detail.customerId': 'c-42' },
      timeout: 10_000,
    });
    const published = await busway.publish([
      { source: 'kyc', detailType: 'Documents Verified', detail: { customerId: 'c-41' } },
      { source: 'other', detailType: 'Documents Verified', detail: { customerId: 'c-42' } },
      { source: 'kyc', detailType: 'Documents Verified', detail: { customerId: 'c-42', level: 2 } },
    ]);
    const event = await waiter.event;
    expect(event.id).toBe(published.entries[2]?.eventId);
    expect(event.detail).toEqual({ customerId: 'c-42', level: 2 });
  });

  it('rejects with WaitForEventTimeoutError when no event matches in time', async () => {
    const error = await busway
      .waitForEvent({ pattern: { source: ['never'] }, timeout: 200 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitForEventTimeoutError);
    expect((error as Error).message).toMatch(
      /No event matching \{"source":\["never"\]\} arrived on bus default within 200 ms/,
    );
  });

  it('can be cancelled, and refuses bad patterns and correlations with what to fix', async () => {
    const waiter = await busway.startWaitingForEvent({ pattern: { source: ['x'] }, timeout: 10_000 });
    waiter.cancel();
    await expect(waiter.event).rejects.toThrow(/cancelled/);
    await expect(busway.waitForEvent({ pattern: { source: 'x' }, timeout: 100 })).rejects.toThrow(
      /pattern is not a valid EventBridge pattern/,
    );
    await expect(
      busway.waitForEvent({
        pattern: { detail: { id: ['a'] } },
        correlation: { 'detail.id': 'b' },
        timeout: 100,
      }),
    ).rejects.toThrow(/correlation path 'detail.id' is also in the pattern/);
    await expect(busway.waitForEvent({ pattern: {}, timeout: 0 })).rejects.toThrow(
      /timeout must be a positive number/,
    );
    const missingBus = await busway
      .waitForEvent({ pattern: { source: ['x'] }, eventBusName: 'nope', timeout: 100 })
      .catch((e: unknown) => e);
    expect(missingBus).toBeInstanceOf(ServiceCallError);
    expect((missingBus as ServiceCallError).awsType).toBe('ResourceNotFoundException');
  });
});
