/**
 * The AWS CLI (`aws events ...`) and boto3 each drive one scenario against a real Busway server with an
 * access key, so botocore's own signing, serialisation, timestamp parsing, error parsing and pagination
 * are exercised: create a bus, put a rule and a target, put events with one failing entry, list and
 * describe, then remove everything. Skipped, with the install command, when a tool is missing.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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

const INSTALL_HINT = 'install with: apt-get install -y awscli python3-boto3';
const KEY = {
  accessKeyId: 'AKIDBUSWAYCLITEST',
  secretAccessKey: 'cli-e2e-secret-abcdefghijklmnopqrstuvwxyz01',
};
const ARN_PREFIX = `arn:aws:events:${TEST_REGION}:${TEST_ACCOUNT}`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const BOTO3_SCENARIO = fileURLToPath(new URL('./python/boto3_scenario.py', import.meta.url));

const hasAwsCli = spawnSync('aws', ['--version'], { stdio: 'ignore' }).status === 0;
const hasBoto3 = spawnSync('python3', ['-c', 'import boto3'], { stdio: 'ignore' }).status === 0;
if (!hasAwsCli)
  console.warn(`cli.test.ts: the AWS CLI (aws) is not installed, skipping its scenario; ${INSTALL_HINT}`);
if (!hasBoto3)
  console.warn(`cli.test.ts: python3 with boto3 is not available, skipping its scenario; ${INSTALL_HINT}`);

let server: TestServer | undefined;
let scratch: string;
let toolEnv: NodeJS.ProcessEnv;

beforeAll(async () => {
  if (!hasAwsCli && !hasBoto3) return;
  scratch = createTempDir('busway-cli-');
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

/** `aws events <args> --endpoint-url URL --output json`, parsed; fails the test on a non-zero exit. */
async function aws(...args: string[]): Promise<Record<string, unknown>> {
  const result = await awsRaw(...args);
  expect(result.code, `aws events ${args.join(' ')}\n${result.stderr}`).toBe(0);
  return result.stdout.trim() === '' ? {} : (JSON.parse(result.stdout) as Record<string, unknown>);
}

function awsRaw(...args: string[]): Promise<ToolRun> {
  return run('aws', ['events', ...args, '--endpoint-url', server!.url, '--output', 'json']);
}

describe.skipIf(!hasAwsCli)(
  `AWS CLI scenario${hasAwsCli ? '' : ` (skipped: aws not found; ${INSTALL_HINT})`}`,
  () => {
    it('creates, uses and removes a bus, a rule and a target', { timeout: 60_000 }, async () => {
      const bus = 'cli-orders';
      const queueArn = `arn:aws:sqs:${TEST_REGION}:${TEST_ACCOUNT}:cli-queue`;

      expect(await aws('create-event-bus', '--name', bus)).toEqual({
        EventBusArn: `${ARN_PREFIX}:event-bus/${bus}`,
      });

      const described = await aws('describe-event-bus', '--name', bus);
      expect(described).toMatchObject({ Name: bus, Arn: `${ARN_PREFIX}:event-bus/${bus}` });
      // botocore parsed the epoch-seconds timestamp; CLI v1 prints it back as epoch seconds, v2 as ISO 8601.
      const creationTime = described['CreationTime'];
      const created =
        typeof creationTime === 'number' ? creationTime * 1000 : Date.parse(String(creationTime));
      expect(Math.abs(created - Date.now())).toBeLessThan(24 * 3600 * 1000);

      expect(
        await aws(
          'put-rule',
          '--name',
          'cli-rule',
          '--event-bus-name',
          bus,
          '--event-pattern',
          '{"source":["shop"]}',
        ),
      ).toEqual({ RuleArn: `${ARN_PREFIX}:rule/${bus}/cli-rule` });
      for (const name of ['cli-rule-2', 'cli-rule-3']) {
        await aws(
          'put-rule',
          '--name',
          name,
          '--event-bus-name',
          bus,
          '--event-pattern',
          '{"source":["other"]}',
        );
      }

      const targets = [{ Id: 't1', Arn: queueArn, Input: '{"fixed":true}' }];
      const put = await aws(
        'put-targets',
        '--rule',
        'cli-rule',
        '--event-bus-name',
        bus,
        '--targets',
        JSON.stringify(targets),
      );
      expect(put['FailedEntryCount']).toBe(0);
      expect(put['FailedEntries'] ?? []).toEqual([]);

      const entriesFile = join(scratch, 'entries.json');
      writeFileSync(
        entriesFile,
        JSON.stringify([
          { EventBusName: bus, Source: 'shop', DetailType: 'order placed', Detail: '{"orderId":"o-1"}' },
          { EventBusName: bus, Source: 'shop', DetailType: 'order placed' },
        ]),
      );
      const events = await aws('put-events', '--entries', `file://${entriesFile}`);
      expect(events['FailedEntryCount']).toBe(1);
      const entries = events['Entries'] as Array<Record<string, string>>;
      expect(entries).toHaveLength(2);
      expect(entries[0]).toEqual({ EventId: expect.stringMatching(UUID) });
      expect(entries[1]).toEqual({
        ErrorCode: 'InvalidArgument',
        ErrorMessage: 'Parameter Detail is not valid. Reason: Detail is a required argument.',
      });

      // --page-size 1: the CLI follows NextToken itself and prints every rule.
      const rules = await aws('list-rules', '--event-bus-name', bus, '--page-size', '1');
      expect((rules['Rules'] as Array<{ Name: string }>).map((r) => r.Name)).toEqual([
        'cli-rule',
        'cli-rule-2',
        'cli-rule-3',
      ]);
      expect((rules['Rules'] as unknown[])[0]).toMatchObject({
        Name: 'cli-rule',
        Arn: `${ARN_PREFIX}:rule/${bus}/cli-rule`,
        EventPattern: '{"source":["shop"]}',
        State: 'ENABLED',
        EventBusName: bus,
      });

      expect(await aws('describe-rule', '--name', 'cli-rule', '--event-bus-name', bus)).toMatchObject({
        Name: 'cli-rule',
        Arn: `${ARN_PREFIX}:rule/${bus}/cli-rule`,
        EventPattern: '{"source":["shop"]}',
        State: 'ENABLED',
        EventBusName: bus,
      });

      expect(await aws('list-targets-by-rule', '--rule', 'cli-rule', '--event-bus-name', bus)).toEqual({
        Targets: targets,
      });

      const refused = await awsRaw('delete-rule', '--name', 'cli-rule', '--event-bus-name', bus);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain(
        "An error occurred (ValidationException) when calling the DeleteRule operation: Rule can't be deleted since it has targets.",
      );

      const removed = await aws(
        'remove-targets',
        '--rule',
        'cli-rule',
        '--event-bus-name',
        bus,
        '--ids',
        't1',
      );
      expect(removed['FailedEntryCount']).toBe(0);
      for (const name of ['cli-rule', 'cli-rule-2', 'cli-rule-3']) {
        expect(await aws('delete-rule', '--name', name, '--event-bus-name', bus)).toEqual({});
      }
      expect(await aws('delete-event-bus', '--name', bus)).toEqual({});

      const missing = await awsRaw('describe-event-bus', '--name', bus);
      expect(missing.code).not.toBe(0);
      expect(missing.stderr).toContain(
        `An error occurred (ResourceNotFoundException) when calling the DescribeEventBus operation: Event bus ${bus} does not exist.`,
      );
    });
  },
);

describe.skipIf(!hasBoto3)(
  `boto3 scenario${hasBoto3 ? '' : ` (skipped: boto3 not found; ${INSTALL_HINT})`}`,
  () => {
    it('creates, uses and removes a bus, a rule and a target', { timeout: 60_000 }, async () => {
      const bus = 'boto3-orders';
      const result = await run('python3', [BOTO3_SCENARIO, server!.url, bus]);
      expect(result.code, result.stderr).toBe(0);
      const steps = JSON.parse(result.stdout) as Record<string, Record<string, unknown>>;

      for (const [name, step] of Object.entries(steps)) {
        if (name === 'list_rules_paginated') continue;
        expect(step['_requestId'], `${name} request id`).toMatch(/\S/);
      }

      expect(steps['create_event_bus']).toMatchObject({
        EventBusArn: `${ARN_PREFIX}:event-bus/${bus}`,
        _status: 200,
      });
      const described = steps['describe_event_bus']!;
      expect(described).toMatchObject({ Name: bus, Arn: `${ARN_PREFIX}:event-bus/${bus}` });
      const created = Date.parse(String(described['CreationTime']).replace(' ', 'T'));
      expect(Math.abs(created - Date.now())).toBeLessThan(24 * 3600 * 1000);

      expect(steps['put_rule']).toMatchObject({ RuleArn: `${ARN_PREFIX}:rule/${bus}/orders-rule` });
      expect(steps['put_targets']).toMatchObject({ FailedEntryCount: 0 });

      const events = steps['put_events']!;
      expect(events['_status']).toBe(200);
      expect(events['FailedEntryCount']).toBe(1);
      expect(events['Entries']).toEqual([
        { EventId: expect.stringMatching(UUID) },
        {
          ErrorCode: 'InvalidArgument',
          ErrorMessage: 'Parameter Detail is not valid. Reason: Detail is a required argument.',
        },
      ]);

      const rules = steps['list_rules_paginated']!['Rules'] as Array<Record<string, unknown>>;
      expect(rules.map((r) => r['Name'])).toEqual(['orders-rule', 'orders-rule-2', 'orders-rule-3']);

      expect(steps['describe_rule']).toMatchObject({
        Name: 'orders-rule',
        Arn: `${ARN_PREFIX}:rule/${bus}/orders-rule`,
        EventPattern: '{"source":["shop"]}',
        State: 'ENABLED',
        Description: 'from boto3',
        EventBusName: bus,
      });
      expect(steps['list_targets_by_rule']!['Targets']).toEqual([
        { Id: 't1', Arn: 'arn:aws:sqs:us-east-1:000000000000:boto3-queue', InputPath: '$.detail' },
      ]);

      expect(steps['delete_rule_with_targets']).toMatchObject({
        Error: { Code: 'ValidationException', Message: "Rule can't be deleted since it has targets." },
        _status: 400,
      });
      expect(steps['remove_targets']).toMatchObject({ FailedEntryCount: 0 });
      for (const name of ['orders-rule', 'orders-rule-2', 'orders-rule-3']) {
        expect(steps[`delete_${name}`], name).toMatchObject({ _status: 200 });
      }
      expect(steps['delete_event_bus']).toMatchObject({ _status: 200 });
      expect(steps['describe_deleted_bus']).toMatchObject({
        Error: { Code: 'ResourceNotFoundException', Message: `Event bus ${bus} does not exist.` },
        _status: 400,
      });
    });
  },
);
