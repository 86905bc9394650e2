/**
 * The AWS CLI (`aws events ...`, botocore's own serialisation and timestamp parsing) creates, describes
 * and lists a connection and an API destination against a real server with an access key. Skipped, with
 * the install command, when the CLI is missing.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsToolEnv, runTool } from '../support/aws-tools.js';
import {
  createTempDir,
  removeDir,
  startTestServer,
  TEST_REGION,
  type TestServer,
} from '../support/server.js';

const INSTALL_HINT = 'install with: apt-get install -y awscli';
const KEY = {
  accessKeyId: 'AKIDBUSWAYCONNCLI',
  secretAccessKey: 'connections-cli-secret-abcdefghijklmnopqrstu',
};
const API_KEY_VALUE = 'cli-key-value-Qw3rTy9';

const hasAwsCli = spawnSync('aws', ['--version'], { stdio: 'ignore' }).status === 0;
if (!hasAwsCli)
  console.warn(`connections-cli.test.ts: the AWS CLI is not installed, skipping; ${INSTALL_HINT}`);

let server: TestServer | undefined;
let scratch: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  if (!hasAwsCli) return;
  scratch = createTempDir('busway-conn-cli-');
  env = awsToolEnv(scratch, KEY, TEST_REGION);
  // CLI v1 downloads parameters that look like URLs (InvocationEndpoint) unless told not to.
  writeFileSync(env.AWS_CONFIG_FILE!, '[default]\ncli_follow_urlparam = false\n');
  server = await startTestServer({ overrides: KEY, credentials: KEY });
});

afterAll(async () => {
  await server?.close();
  if (scratch !== undefined) removeDir(scratch);
});

/** `aws events <args>` as JSON; fails the test on a non-zero exit. */
async function aws(...args: string[]): Promise<Record<string, unknown>> {
  const result = await runTool(
    'aws',
    ['events', ...args, '--endpoint-url', server!.url, '--output', 'json'],
    env,
  );
  expect(result.code, `aws events ${args.join(' ')}\n${result.stderr}`).toBe(0);
  expect(result.stdout).not.toContain(API_KEY_VALUE);
  return result.stdout.trim() === '' ? {} : (JSON.parse(result.stdout) as Record<string, unknown>);
}

describe.skipIf(!hasAwsCli)(`AWS CLI connections${hasAwsCli ? '' : ` (skipped: ${INSTALL_HINT})`}`, () => {
  it('creates and describes an API_KEY connection and an API destination', { timeout: 60_000 }, async () => {
    const created = await aws(
      'create-connection',
      '--name',
      'cli-conn',
      '--authorization-type',
      'API_KEY',
      '--auth-parameters',
      JSON.stringify({ ApiKeyAuthParameters: { ApiKeyName: 'x-api-key', ApiKeyValue: API_KEY_VALUE } }),
    );
    expect(created).toMatchObject({
      ConnectionArn: expect.stringMatching(
        /^arn:aws:events:us-east-1:000000000000:connection\/cli-conn\/[0-9a-f-]{36}$/,
      ),
      ConnectionState: 'AUTHORIZED',
    });
    // botocore parsed the epoch-second timestamp; CLI v1 prints epoch seconds, v2 ISO 8601.
    const creationTime = created.CreationTime as number | string;
    const creationMs = typeof creationTime === 'number' ? creationTime * 1000 : Date.parse(creationTime);
    expect(Math.abs(creationMs - Date.now())).toBeLessThan(3_600_000);

    const described = await aws('describe-connection', '--name', 'cli-conn');
    expect(described).toMatchObject({
      Name: 'cli-conn',
      ConnectionState: 'AUTHORIZED',
      AuthorizationType: 'API_KEY',
      AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: 'x-api-key' } },
      SecretArn: expect.stringContaining(':secret:events!connection/cli-conn/'),
    });

    const destination = await aws(
      'create-api-destination',
      '--name',
      'cli-dest',
      '--connection-arn',
      created.ConnectionArn as string,
      '--invocation-endpoint',
      'https://example.com/orders/*',
      '--http-method',
      'POST',
      '--invocation-rate-limit-per-second',
      '20',
    );
    expect(destination).toMatchObject({ ApiDestinationState: 'ACTIVE' });
    expect(await aws('describe-api-destination', '--name', 'cli-dest')).toMatchObject({
      ApiDestinationArn: destination.ApiDestinationArn,
      ConnectionArn: created.ConnectionArn,
      InvocationEndpoint: 'https://example.com/orders/*',
      HttpMethod: 'POST',
      InvocationRateLimitPerSecond: 20,
    });
    const listed = await aws('list-api-destinations', '--connection-arn', created.ConnectionArn as string);
    expect((listed.ApiDestinations as Array<{ Name: string }>).map((item) => item.Name)).toStrictEqual([
      'cli-dest',
    ]);
    expect(await aws('list-connections', '--name-prefix', 'cli-')).toMatchObject({
      Connections: [{ Name: 'cli-conn', ConnectionState: 'AUTHORIZED' }],
    });

    const refused = await runTool(
      'aws',
      ['events', 'delete-connection', '--name', 'cli-conn', '--endpoint-url', server!.url],
      env,
    );
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('ValidationException');
    await aws('delete-api-destination', '--name', 'cli-dest');
    expect(await aws('delete-connection', '--name', 'cli-conn')).toMatchObject({
      ConnectionState: 'DELETING',
    });
  });
});
