/**
 * Task tokens end to end on a real server: Busway.CreateTask / Busway.WaitForTask over the AWS JSON
 * protocol, and the callbacks sent with the real `@aws-sdk/client-sfn` (JSON 1.0, signed for `states`),
 * with Step Functions' errors.
 */
import {
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  SFNServiceException,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest } from '../support/raw-request.js';
import { ANY_CREDENTIALS, startTestServer, TEST_REGION, type TestServer } from '../support/server.js';

let s: TestServer;
let sfn: SFNClient;
beforeAll(async () => {
  s = await startTestServer();
  sfn = new SFNClient({
    endpoint: s.url,
    region: TEST_REGION,
    credentials: { ...ANY_CREDENTIALS },
    maxAttempts: 1,
  });
});
afterAll(async () => {
  sfn.destroy();
  await s.close();
});

async function call(operation: string, input: Record<string, unknown>) {
  return rawRequest(s.url, {
    target: `Busway.${operation}`,
    body: JSON.stringify(input),
    credentials: ANY_CREDENTIALS,
    service: 'busway',
  });
}

async function createTask(input: Record<string, unknown> = {}): Promise<string> {
  const response = await call('CreateTask', input);
  expect(response.status).toBe(200);
  return String(response.body['TaskToken']);
}

async function sfnError(promise: Promise<unknown>): Promise<SFNServiceException> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(SFNServiceException);
  return error as SFNServiceException;
}

describe('task tokens', () => {
  it('answers a waiting caller with the output of SendTaskSuccess, and refuses a second answer', async () => {
    const taskToken = await createTask({ TimeoutSeconds: 60 });
    expect(taskToken).toMatch(/^bw1\.[A-Za-z0-9_-]{43}$/);
    const pending = await call('WaitForTask', { TaskToken: taskToken, WaitTimeSeconds: 0 });
    expect(pending.body).toMatchObject({ Status: 'PENDING' });

    const waiting = call('WaitForTask', { TaskToken: taskToken, WaitTimeSeconds: 20 });
    await sfn.send(new SendTaskSuccessCommand({ taskToken, output: '{"approved":true}' }));
    expect((await waiting).body).toMatchObject({ Status: 'SUCCEEDED', Output: '{"approved":true}' });

    const again = await sfnError(sfn.send(new SendTaskSuccessCommand({ taskToken, output: '{}' })));
    expect(again.name).toBe('TaskTimedOut');
    expect(again.message).toBe("Task Timed Out: 'Provided task does not exist anymore'");
    expect(again.$metadata.httpStatusCode).toBe(400);
  });

  it('reports SendTaskFailure with its error and cause', async () => {
    const taskToken = await createTask();
    await sfn.send(
      new SendTaskFailureCommand({ taskToken, error: 'KycRejected', cause: 'document expired' }),
    );
    const done = await call('WaitForTask', { TaskToken: taskToken });
    expect(done.body).toMatchObject({ Status: 'FAILED', Error: 'KycRejected', Cause: 'document expired' });
    const heartbeat = await sfnError(sfn.send(new SendTaskHeartbeatCommand({ taskToken })));
    expect(heartbeat.name).toBe('TaskTimedOut');
  });

  it('times a task out after TimeoutSeconds (States.Timeout); later answers get TaskTimedOut', async () => {
    const taskToken = await createTask({ TimeoutSeconds: 1 });
    const done = await call('WaitForTask', { TaskToken: taskToken, WaitTimeSeconds: 20 });
    expect(done.body).toMatchObject({ Status: 'TIMED_OUT', Error: 'States.Timeout' });
    expect(String(done.body['Cause'])).toMatch(/1 s timeout/);
    const late = await sfnError(sfn.send(new SendTaskSuccessCommand({ taskToken, output: '{}' })));
    expect(late.name).toBe('TaskTimedOut');
  });

  it('keeps a task alive with heartbeats and times it out when they stop (States.HeartbeatTimeout)', async () => {
    const kept = await createTask({ TimeoutSeconds: 120, HeartbeatSeconds: 60 });
    await sfn.send(new SendTaskHeartbeatCommand({ taskToken: kept }));
    await sfn.send(new SendTaskSuccessCommand({ taskToken: kept, output: '"done"' }));
    expect((await call('WaitForTask', { TaskToken: kept })).body).toMatchObject({ Status: 'SUCCEEDED' });

    const silent = await createTask({ TimeoutSeconds: 120, HeartbeatSeconds: 1 });
    const done = await call('WaitForTask', { TaskToken: silent, WaitTimeSeconds: 20 });
    expect(done.body).toMatchObject({ Status: 'TIMED_OUT', Error: 'States.HeartbeatTimeout' });
    const late = await sfnError(sfn.send(new SendTaskHeartbeatCommand({ taskToken: silent })));
    expect(late.name).toBe('TaskTimedOut');
  });

  it("refuses tokens Busway did not issue, unknown tasks and output that is not JSON, in Step Functions' terms", async () => {
    const invalid = await sfnError(sfn.send(new SendTaskSuccessCommand({ taskToken: 'abc', output: '{}' })));
    expect(invalid.name).toBe('InvalidToken');
    expect(invalid.message).toMatch(/CreateTask/);

    const unknown = `bw1.${'A'.repeat(43)}`;
    const missing = await sfnError(sfn.send(new SendTaskFailureCommand({ taskToken: unknown })));
    expect(missing.name).toBe('TaskDoesNotExist');

    const taskToken = await createTask();
    const output = await sfnError(sfn.send(new SendTaskSuccessCommand({ taskToken, output: '{oops' })));
    expect(output.name).toBe('InvalidOutput');
    expect(output.message).toMatch(/must be JSON/);

    const tooLong = await sfnError(sfn.send(new SendTaskHeartbeatCommand({ taskToken: 'x'.repeat(2049) })));
    expect(tooLong.name).toBe('ValidationException');
    expect(tooLong.message).toMatch(
      /'taskToken' failed to satisfy constraint: Member must have length less than or equal to 2048/,
    );
  });

  it('validates CreateTask and WaitForTask input', async () => {
    const heartbeat = await call('CreateTask', { TimeoutSeconds: 10, HeartbeatSeconds: 10 });
    expect(heartbeat.body.__type).toBe('ValidationException');
    expect(heartbeat.body.message).toMatch(/heartbeatSeconds.*less than TimeoutSeconds \(10\)/);
    const zero = await call('CreateTask', { TimeoutSeconds: 0 });
    expect(zero.body.message).toMatch(/timeoutSeconds.*greater than or equal to 1/);
    const wait = await call('WaitForTask', { TaskToken: await createTask(), WaitTimeSeconds: 21 });
    expect(wait.body.message).toMatch(/waitTimeSeconds.*less than or equal to 20/);
    const noToken = await call('WaitForTask', {});
    expect(noToken.body.message).toMatch(/'taskToken' failed to satisfy constraint: Member must not be null/);
  });
});

describe('task tokens with access keys', () => {
  it('verifies the callbacks signed for the service states', async () => {
    const key = { accessKeyId: 'AKIDBUSWAYTASKS', secretAccessKey: 'tasks-secret' };
    const secured = await startTestServer({
      overrides: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey },
    });
    const client = new SFNClient({
      endpoint: secured.url,
      region: TEST_REGION,
      credentials: { ...key },
      maxAttempts: 1,
    });
    const wrong = new SFNClient({
      endpoint: secured.url,
      region: TEST_REGION,
      credentials: { ...key, secretAccessKey: 'wrong' },
      maxAttempts: 1,
    });
    try {
      const created = await rawRequest(secured.url, {
        target: 'Busway.CreateTask',
        body: '{}',
        credentials: key,
        service: 'busway',
      });
      const taskToken = String(created.body['TaskToken']);
      const refused = await sfnError(wrong.send(new SendTaskSuccessCommand({ taskToken, output: '{}' })));
      expect(refused.name).toBe('InvalidSignatureException');
      await client.send(new SendTaskSuccessCommand({ taskToken, output: '{}' }));
    } finally {
      client.destroy();
      wrong.destroy();
      await secured.close();
    }
  });
});
