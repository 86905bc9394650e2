/**
 * The AWS CLI drives a send/receive/delete round trip against a real Busway server with an access key,
 * in both of SQS's protocols: the CLI on PATH (current botocore speaks AWS JSON 1.0 to SQS) and
 * Debian's packaged CLI at /usr/bin/aws (bookworm's awscli 2.9 still speaks the query protocol: form
 * bodies, XML answers). Each is skipped, with the install command, when it is missing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsToolEnv, runTool, type ToolRun } from '../support/aws-tools.js';
import {
  createTempDir,
  removeDir,
  startTestServer,
  TEST_ACCOUNT,
  TEST_REGION,
  type TestServer,
} from '../support/server.js';

const KEY = {
  accessKeyId: 'AKIDBUSWAYSQSCLI',
  secretAccessKey: 'sqs-cli-secret-abcdefghijklmnopqrstuvwxyz012',
};
const DEBIAN_AWS = '/usr/bin/aws';

const hasAwsCli = spawnSync('aws', ['--version'], { stdio: 'ignore' }).status === 0;
const hasDebianCli =
  existsSync(DEBIAN_AWS) && spawnSync(DEBIAN_AWS, ['--version'], { stdio: 'ignore' }).status === 0;
if (!hasAwsCli)
  console.warn(
    'sqs-cli.test.ts: no aws on PATH, skipping its round trip; install with: apt-get install -y awscli',
  );
if (!hasDebianCli) {
  console.warn(
    `sqs-cli.test.ts: no ${DEBIAN_AWS}, skipping the query-protocol round trip; install with: apt-get install -y awscli`,
  );
}

let server: TestServer | undefined;
let scratch: string;
let toolEnv: NodeJS.ProcessEnv;

beforeAll(async () => {
  if (!hasAwsCli && !hasDebianCli) return;
  scratch = createTempDir('busway-sqs-cli-');
  toolEnv = awsToolEnv(scratch, KEY, TEST_REGION);
  server = await startTestServer({ overrides: KEY, credentials: KEY });
});

afterAll(async () => {
  await server?.close();
  if (scratch !== undefined) removeDir(scratch);
});

function run(command: string, args: readonly string[]): Promise<ToolRun> {
  return runTool(command, args, toolEnv);
}

/** One CLI: `<command> sqs <args> --endpoint-url URL --output json`. */
function cli(command: string) {
  const raw = (...args: string[]): Promise<ToolRun> =>
    run(command, ['sqs', ...args, '--endpoint-url', server!.url, '--output', 'json']);
  const json = async (...args: string[]): Promise<Record<string, unknown>> => {
    const result = await raw(...args);
    expect(result.code, `${command} sqs ${args.join(' ')}\n${result.stderr}`).toBe(0);
    return result.stdout.trim() === '' ? {} : (JSON.parse(result.stdout) as Record<string, unknown>);
  };
  return { raw, json };
}

/** The same round trip for each CLI, on its own queue. */
async function roundTrip(command: string, queueName: string): Promise<void> {
  const aws = cli(command);
  const created = await aws.json(
    'create-queue',
    '--queue-name',
    queueName,
    '--attributes',
    'VisibilityTimeout=40',
  );
  const queueUrl = created.QueueUrl as string;
  expect(queueUrl).toBe(`${server!.url}/${TEST_ACCOUNT}/${queueName}`);
  expect(await aws.json('get-queue-url', '--queue-name', queueName)).toEqual({ QueueUrl: queueUrl });

  const body = 'order #1: 2 × <widget> & "gadget"';
  const sent = await aws.json(
    'send-message',
    '--queue-url',
    queueUrl,
    '--message-body',
    body,
    '--message-attributes',
    JSON.stringify({ kind: { DataType: 'String', StringValue: 'order' } }),
  );
  expect(sent).toMatchObject({ MessageId: expect.any(String), MD5OfMessageBody: expect.any(String) });

  const received = await aws.json(
    'receive-message',
    '--queue-url',
    queueUrl,
    '--attribute-names',
    'All',
    '--message-attribute-names',
    'All',
    '--wait-time-seconds',
    '1',
  );
  const messages = received.Messages as Array<Record<string, unknown>>;
  expect(messages).toHaveLength(1);
  expect(messages[0]).toMatchObject({
    MessageId: sent.MessageId,
    Body: body,
    MD5OfBody: sent.MD5OfMessageBody,
    MessageAttributes: { kind: { DataType: 'String', StringValue: 'order' } },
    Attributes: expect.objectContaining({ ApproximateReceiveCount: '1' }),
  });

  await aws.json(
    'delete-message',
    '--queue-url',
    queueUrl,
    '--receipt-handle',
    messages[0]!.ReceiptHandle as string,
  );
  const attributes = await aws.json(
    'get-queue-attributes',
    '--queue-url',
    queueUrl,
    '--attribute-names',
    'ApproximateNumberOfMessages',
    'ApproximateNumberOfMessagesNotVisible',
    'VisibilityTimeout',
  );
  expect(attributes).toEqual({
    Attributes: {
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
      VisibilityTimeout: '40',
    },
  });
  const again = await aws.json('receive-message', '--queue-url', queueUrl);
  expect(again.Messages ?? []).toEqual([]);

  // Errors: the CLI prints the query-era code in both protocols.
  const missing = await aws.raw('get-queue-url', '--queue-name', `${queueName}-missing`);
  expect(missing.code).not.toBe(0);
  expect(missing.stderr).toContain('(AWS.SimpleQueueService.NonExistentQueue)');
  expect(missing.stderr).toContain('The specified queue does not exist.');

  await aws.json('delete-queue', '--queue-url', queueUrl);
  const listed = await aws.json('list-queues', '--queue-name-prefix', queueName);
  expect(listed.QueueUrls ?? []).toEqual([]);
}

describe.skipIf(!hasAwsCli)(
  `aws on PATH (JSON 1.0 with a current botocore)${hasAwsCli ? '' : ' (skipped: not installed)'}`,
  () => {
    it('sends, receives and deletes a message', { timeout: 60_000 }, async () => {
      await roundTrip('aws', 'cli-json');
    });
  },
);

describe.skipIf(!hasDebianCli)(
  `Debian's ${DEBIAN_AWS} (query protocol)${hasDebianCli ? '' : ' (skipped: not installed)'}`,
  () => {
    it('sends, receives and deletes a message', { timeout: 60_000 }, async () => {
      await roundTrip(DEBIAN_AWS, 'cli-query');
    });
  },
);
