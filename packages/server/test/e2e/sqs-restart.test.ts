/**
 * Queues and their unacknowledged messages survive a SIGKILL of the real `busway serve` (child process):
 * a message never received, and one received but not deleted (it comes back once its visibility
 * timeout has passed), are there after the restart; a deleted one stays deleted; the queue keeps its
 * attributes and tags, and a FIFO queue its order.
 */
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ListQueueTagsCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ensureStopped, spawnServe, type ServeProcess } from '../support/cli-process.js';
import { ANY_CREDENTIALS, createTempDir, removeDir, TEST_ACCOUNT, TEST_REGION } from '../support/server.js';

const dirs: string[] = [];
let proc: ServeProcess | undefined;

afterEach(async () => {
  await ensureStopped(proc);
  proc = undefined;
});

afterAll(() => {
  for (const dir of dirs) removeDir(dir);
});

function client(url: string): SQSClient {
  return new SQSClient({
    endpoint: url,
    region: TEST_REGION,
    credentials: { ...ANY_CREDENTIALS },
    maxAttempts: 1,
  });
}

async function bodiesOf(sqs: SQSClient, queueUrl: string, options: { wait: number; visibility?: number }) {
  const received = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: options.wait,
      MessageSystemAttributeNames: ['All'],
      ...(options.visibility !== undefined && { VisibilityTimeout: options.visibility }),
    }),
  );
  return received.Messages ?? [];
}

describe('SQS queues across a SIGKILL', () => {
  it('keep unacknowledged messages, drop acknowledged ones', { timeout: 60_000 }, async () => {
    const dataDir = createTempDir('busway-sqs-restart-');
    dirs.push(dataDir);
    proc = await spawnServe(dataDir);
    let sqs = client(proc.url);
    const queueName = 'restart-jobs';
    let fifoUrl: string;
    try {
      const created = await sqs.send(
        new CreateQueueCommand({
          QueueName: queueName,
          Attributes: { VisibilityTimeout: '7' },
          tags: { team: 'ops' },
        }),
      );
      const queueUrl = created.QueueUrl!;
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'acknowledged' }));
      const [acked] = await bodiesOf(sqs, queueUrl, { wait: 0 });
      expect(acked?.Body).toBe('acknowledged');
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: acked!.ReceiptHandle! }));

      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'in flight' }));
      const [inFlight] = await bodiesOf(sqs, queueUrl, { wait: 0, visibility: 1 });
      expect(inFlight?.Body).toBe('in flight');
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'waiting' }));

      fifoUrl = (
        await sqs.send(
          new CreateQueueCommand({ QueueName: 'restart-jobs.fifo', Attributes: { FifoQueue: 'true' } }),
        )
      ).QueueUrl!;
      for (const body of ['f1', 'f2', 'f3']) {
        await sqs.send(
          new SendMessageCommand({
            QueueUrl: fifoUrl,
            MessageBody: body,
            MessageGroupId: 'g',
            MessageDeduplicationId: body,
          }),
        );
      }
      // As soon as the last send was answered: no graceful shutdown, no checkpoint.
      proc.child.kill('SIGKILL');
    } finally {
      sqs.destroy();
    }
    expect((await proc.exited).signal).toBe('SIGKILL');

    proc = await spawnServe(dataDir);
    sqs = client(proc.url);
    try {
      const queueUrl = `${proc.url}/${TEST_ACCOUNT}/${queueName}`;
      const attributes = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['VisibilityTimeout'] }),
      );
      expect(attributes.Attributes).toEqual({ VisibilityTimeout: '7' });
      expect((await sqs.send(new ListQueueTagsCommand({ QueueUrl: queueUrl }))).Tags).toEqual({
        team: 'ops',
      });

      // The in-flight message returns when its 1 s visibility has passed; long polls wait for it.
      const seen = new Map<string, string>();
      for (let round = 0; round < 5 && seen.size < 2; round++) {
        for (const message of await bodiesOf(sqs, queueUrl, { wait: 5, visibility: 30 })) {
          seen.set(message.Body!, message.Attributes?.ApproximateReceiveCount ?? '?');
        }
      }
      expect(Object.fromEntries(seen)).toEqual({ waiting: '1', 'in flight': '2' });

      fifoUrl = `${proc.url}/${TEST_ACCOUNT}/restart-jobs.fifo`;
      const fifoBodies: string[] = [];
      for (let round = 0; round < 5 && fifoBodies.length < 3; round++) {
        for (const message of await bodiesOf(sqs, fifoUrl, { wait: 1 })) {
          fifoBodies.push(message.Body!);
          await sqs.send(
            new DeleteMessageCommand({ QueueUrl: fifoUrl, ReceiptHandle: message.ReceiptHandle! }),
          );
        }
      }
      expect(fifoBodies).toEqual(['f1', 'f2', 'f3']);
    } finally {
      sqs.destroy();
    }
  });
});
