/**
 * Every classic EventBridge operation Busway serves, driven by the real `@aws-sdk/client-eventbridge`
 * against a real server on 127.0.0.1: success shapes (ARNs with the configured region and account,
 * timestamps as Dates), pagination, and the errors with AWS's names, texts and status
 * (reference/eventbridge-api.md §1-4, shared/conformance/aws-errors.json).
 */
import {
  CreateEventBusCommand,
  DeleteEventBusCommand,
  DeleteRuleCommand,
  DescribeEventBusCommand,
  DescribeRuleCommand,
  DisableRuleCommand,
  EnableRuleCommand,
  ListEventBusesCommand,
  ListRuleNamesByTargetCommand,
  ListRulesCommand,
  ListTagsForResourceCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutPermissionCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemovePermissionCommand,
  RemoveTargetsCommand,
  TagResourceCommand,
  TestEventPatternCommand,
  UntagResourceCommand,
  UpdateEventBusCommand,
  type EventBridgeClient,
  type PutEventsRequestEntry,
  type Target,
} from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAwsError, rejectionOf } from '../support/aws-errors.js';
import { startTestServer, TEST_ACCOUNT, TEST_REGION, type TestServer } from '../support/server.js';

const ARN_PREFIX = `arn:aws:events:${TEST_REGION}:${TEST_ACCOUNT}`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const QUEUE_ARN = `arn:aws:sqs:${TEST_REGION}:${TEST_ACCOUNT}:orders-queue`;
const SHOP_PATTERN = '{"source":["shop"]}';

let server: TestServer;
let client: EventBridgeClient;

beforeAll(async () => {
  server = await startTestServer();
  client = server.client;
});

afterAll(async () => {
  await server?.close();
});

function nextTokenMember(nextToken: string | undefined): { NextToken?: string } {
  return nextToken === undefined ? {} : { NextToken: nextToken };
}

/** Creates a bus with a unique name for one test. */
let busCounter = 0;
async function newBus(prefix = 'bus'): Promise<string> {
  const name = `${prefix}-${++busCounter}`;
  await client.send(new CreateEventBusCommand({ Name: name }));
  return name;
}

describe('event buses', () => {
  it('lists the default bus with its ARN and Date timestamps', async () => {
    const out = await client.send(new ListEventBusesCommand({ NamePrefix: 'default' }));
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(out.$metadata.requestId).toMatch(/\S/);
    expect(out.EventBuses).toHaveLength(1);
    const [bus] = out.EventBuses!;
    expect(bus).toMatchObject({ Name: 'default', Arn: `${ARN_PREFIX}:event-bus/default` });
    expect(bus!.CreationTime).toBeInstanceOf(Date);
    expect(bus!.LastModifiedTime).toBeInstanceOf(Date);
    expect(Number.isNaN(bus!.CreationTime!.getTime())).toBe(false);
  });

  it('describes the default bus when no name is given', async () => {
    const out = await client.send(new DescribeEventBusCommand({}));
    expect(out).toMatchObject({ Name: 'default', Arn: `${ARN_PREFIX}:event-bus/default` });
    expect(out.CreationTime).toBeInstanceOf(Date);
  });

  it('creates a bus and describes it', async () => {
    const created = await client.send(
      new CreateEventBusCommand({
        Name: 'orders',
        Description: 'order events',
        Tags: [{ Key: 'team', Value: 'shop' }],
      }),
    );
    expect(created.EventBusArn).toBe(`${ARN_PREFIX}:event-bus/orders`);
    expect(created.Description).toBe('order events');

    const described = await client.send(new DescribeEventBusCommand({ Name: 'orders' }));
    expect(described).toMatchObject({
      Name: 'orders',
      Arn: `${ARN_PREFIX}:event-bus/orders`,
      Description: 'order events',
    });
    expect(described.CreationTime).toBeInstanceOf(Date);
    expect(described.LastModifiedTime).toBeInstanceOf(Date);
    // Within a minute of now: the server answers epoch seconds, not milliseconds.
    expect(Math.abs(described.CreationTime!.getTime() - Date.now())).toBeLessThan(60_000);

    const byArn = await client.send(new DescribeEventBusCommand({ Name: `${ARN_PREFIX}:event-bus/orders` }));
    expect(byArn.Name).toBe('orders');

    const tags = await client.send(new ListTagsForResourceCommand({ ResourceARN: created.EventBusArn }));
    expect(tags.Tags).toEqual([{ Key: 'team', Value: 'shop' }]);
  });

  it('refuses a second bus with the same name', async () => {
    const name = await newBus('dup');
    await expectAwsError(
      client.send(new CreateEventBusCommand({ Name: name })),
      'ResourceAlreadyExistsException',
      `Event bus ${name} already exists.`,
    );
  });

  it('validates the bus name with AWS text', async () => {
    await expectAwsError(
      client.send(new CreateEventBusCommand({ Name: 'Invalid Name With Spaces!' })),
      'ValidationException',
      "1 validation error detected: Value 'Invalid Name With Spaces!' at 'name' failed to satisfy constraint: " +
        'Member must satisfy regular expression pattern: [/\\.\\-_A-Za-z0-9]+',
    );
  });

  it('answers ResourceNotFoundException for a bus that does not exist', async () => {
    await expectAwsError(
      client.send(new DescribeEventBusCommand({ Name: 'x' })),
      'ResourceNotFoundException',
      'Event bus x does not exist.',
    );
  });

  it('updates a bus description', async () => {
    const name = await newBus('upd');
    const out = await client.send(new UpdateEventBusCommand({ Name: name, Description: 'now described' }));
    expect(out).toMatchObject({
      Name: name,
      Arn: `${ARN_PREFIX}:event-bus/${name}`,
      Description: 'now described',
    });
    const described = await client.send(new DescribeEventBusCommand({ Name: name }));
    expect(described.Description).toBe('now described');
    expect(described.LastModifiedTime!.getTime()).toBeGreaterThanOrEqual(described.CreationTime!.getTime());
  });

  it('refuses to update a bus that does not exist', async () => {
    await expectAwsError(
      client.send(new UpdateEventBusCommand({ Name: 'no-such-bus', Description: 'x' })),
      'ResourceNotFoundException',
      'Event bus no-such-bus does not exist.',
    );
  });

  it('deletes a bus', async () => {
    const name = await newBus('del');
    const out = await client.send(new DeleteEventBusCommand({ Name: name }));
    expect(out.$metadata.httpStatusCode).toBe(200);
    await expectAwsError(
      client.send(new DescribeEventBusCommand({ Name: name })),
      'ResourceNotFoundException',
      `Event bus ${name} does not exist.`,
    );
  });

  it('refuses to delete the default bus', async () => {
    await expectAwsError(
      client.send(new DeleteEventBusCommand({ Name: 'default' })),
      'ValidationException',
      'Cannot delete event bus default.',
    );
  });

  it('answers ResourceNotFoundException when deleting a missing bus', async () => {
    await expectAwsError(
      client.send(new DeleteEventBusCommand({ Name: 'gone' })),
      'ResourceNotFoundException',
      'Event bus gone does not exist.',
    );
  });

  it('pages through buses with Limit and NextToken', async () => {
    const names = ['page-a', 'page-b', 'page-c', 'page-d', 'page-e'];
    for (const name of names) await client.send(new CreateEventBusCommand({ Name: name }));
    const seen: string[] = [];
    const pageSizes: number[] = [];
    let nextToken: string | undefined;
    do {
      const out = await client.send(
        new ListEventBusesCommand({ NamePrefix: 'page-', Limit: 2, ...nextTokenMember(nextToken) }),
      );
      pageSizes.push(out.EventBuses!.length);
      for (const bus of out.EventBuses!) {
        seen.push(bus.Name!);
        expect(bus.Arn).toBe(`${ARN_PREFIX}:event-bus/${bus.Name}`);
      }
      nextToken = out.NextToken;
    } while (nextToken !== undefined);
    expect(pageSizes).toEqual([2, 2, 1]);
    expect(seen).toEqual(names);
  });
});

describe('request validation', () => {
  it('validates Limit against 1-100 with AWS text at limit', async () => {
    await expectAwsError(
      client.send(new ListEventBusesCommand({ Limit: 0 })),
      'ValidationException',
      "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: " +
        'Member must have value greater than or equal to 1',
    );
    await expectAwsError(
      client.send(new ListRulesCommand({ Limit: 101 })),
      'ValidationException',
      "1 validation error detected: Value '101' at 'limit' failed to satisfy constraint: " +
        'Member must have value less than or equal to 100',
    );
  });

  it('answers a 400, not a 500, to a NextToken it did not issue', async () => {
    await client.send(new PutRuleCommand({ Name: 'token-rule', EventPattern: SHOP_PATTERN }));
    const NextToken = 'not-a-token';
    const calls = {
      ListEventBuses: () => client.send(new ListEventBusesCommand({ NextToken })),
      ListRules: () => client.send(new ListRulesCommand({ NextToken })),
      ListTargetsByRule: () => client.send(new ListTargetsByRuleCommand({ Rule: 'token-rule', NextToken })),
      ListRuleNamesByTarget: () =>
        client.send(new ListRuleNamesByTargetCommand({ TargetArn: QUEUE_ARN, NextToken })),
    };
    const statuses: Record<string, number | undefined> = {};
    for (const [operation, call] of Object.entries(calls)) {
      statuses[operation] = (await rejectionOf(call())).$metadata.httpStatusCode;
    }
    expect(statuses).toEqual({
      ListEventBuses: 400,
      ListRules: 400,
      ListTargetsByRule: 400,
      ListRuleNamesByTarget: 400,
    });
  });

  it('reports every violation of one request together', async () => {
    const long = 'a b'.repeat(30);
    await expectAwsError(
      client.send(new PutRuleCommand({ Name: long, EventPattern: SHOP_PATTERN })),
      'ValidationException',
      `2 validation errors detected: Value '${long}' at 'name' failed to satisfy constraint: ` +
        'Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+; ' +
        `Value '${long}' at 'name' failed to satisfy constraint: Member must have length less than or equal to 64`,
    );
  });
});

describe('rules', () => {
  it('puts a rule on the default bus with a rule/<name> ARN', async () => {
    const out = await client.send(new PutRuleCommand({ Name: 'on-default', EventPattern: SHOP_PATTERN }));
    expect(out.RuleArn).toBe(`${ARN_PREFIX}:rule/on-default`);
  });

  it('puts a rule on a custom bus with a rule/<bus>/<name> ARN, by bus name or ARN', async () => {
    const bus = await newBus('rules');
    const byName = await client.send(
      new PutRuleCommand({ Name: 'r1', EventBusName: bus, EventPattern: SHOP_PATTERN, Description: 'first' }),
    );
    expect(byName.RuleArn).toBe(`${ARN_PREFIX}:rule/${bus}/r1`);
    const byArn = await client.send(
      new PutRuleCommand({
        Name: 'r2',
        EventBusName: `${ARN_PREFIX}:event-bus/${bus}`,
        EventPattern: SHOP_PATTERN,
      }),
    );
    expect(byArn.RuleArn).toBe(`${ARN_PREFIX}:rule/${bus}/r2`);

    const described = await client.send(new DescribeRuleCommand({ Name: 'r1', EventBusName: bus }));
    expect(described).toMatchObject({
      Name: 'r1',
      Arn: `${ARN_PREFIX}:rule/${bus}/r1`,
      EventPattern: SHOP_PATTERN,
      State: 'ENABLED',
      Description: 'first',
      EventBusName: bus,
      CreatedBy: TEST_ACCOUNT,
    });
  });

  it('replaces a rule on a second PutRule (members left out are cleared)', async () => {
    await client.send(
      new PutRuleCommand({
        Name: 'upsert',
        EventPattern: SHOP_PATTERN,
        Description: 'old',
        State: 'DISABLED',
      }),
    );
    await client.send(new PutRuleCommand({ Name: 'upsert', EventPattern: '{"source":["other"]}' }));
    const described = await client.send(new DescribeRuleCommand({ Name: 'upsert' }));
    expect(described.EventPattern).toBe('{"source":["other"]}');
    expect(described.State).toBe('ENABLED');
    expect(described.Description).toBeUndefined();
  });

  it('accepts a schedule on the default bus only', async () => {
    const out = await client.send(
      new PutRuleCommand({ Name: 'every-5', ScheduleExpression: 'rate(5 minutes)' }),
    );
    expect(out.RuleArn).toBe(`${ARN_PREFIX}:rule/every-5`);
    const described = await client.send(new DescribeRuleCommand({ Name: 'every-5' }));
    expect(described.ScheduleExpression).toBe('rate(5 minutes)');

    const bus = await newBus('sched');
    await expectAwsError(
      client.send(
        new PutRuleCommand({ Name: 's', EventBusName: bus, ScheduleExpression: 'rate(5 minutes)' }),
      ),
      'ValidationException',
      'ScheduleExpression is supported only on the default event bus.',
    );
    await expectAwsError(
      client.send(new PutRuleCommand({ Name: 's', ScheduleExpression: 'cron(0 1 * * * *)' })),
      'ValidationException',
      'Parameter ScheduleExpression is not valid.',
    );
  });

  it('needs a pattern or a schedule', async () => {
    await expectAwsError(
      client.send(new PutRuleCommand({ Name: 'empty' })),
      'ValidationException',
      'Parameter(s) EventPattern or ScheduleExpression must be specified.',
    );
  });

  it('answers InvalidEventPatternException with the parser reason', async () => {
    await expectAwsError(
      client.send(new PutRuleCommand({ Name: 'bad-pattern', EventPattern: '{"resources": []}' })),
      'InvalidEventPatternException',
      'Event pattern is not valid. Reason: Empty arrays are not allowed',
    );
    await expectAwsError(
      client.send(new PutRuleCommand({ Name: 'bad-pattern', EventPattern: '{"string": "my-value"}' })),
      'InvalidEventPatternException',
      'Event pattern is not valid. Reason: "string" must be an object or an array',
    );
  });

  it('validates rule names with AWS text at name', async () => {
    await expectAwsError(
      client.send(new PutRuleCommand({ Name: 'bad name!', EventPattern: SHOP_PATTERN })),
      'ValidationException',
      "1 validation error detected: Value 'bad name!' at 'name' failed to satisfy constraint: " +
        'Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+',
    );
    const long = 'r'.repeat(65);
    await expectAwsError(
      client.send(new PutRuleCommand({ Name: long, EventPattern: SHOP_PATTERN })),
      'ValidationException',
      `1 validation error detected: Value '${long}' at 'name' failed to satisfy constraint: ` +
        'Member must have length less than or equal to 64',
    );
  });

  it('refuses a rule on a bus that does not exist', async () => {
    await expectAwsError(
      client.send(new PutRuleCommand({ Name: 'r', EventBusName: 'ghost', EventPattern: SHOP_PATTERN })),
      'ResourceNotFoundException',
      'Event bus ghost does not exist.',
    );
  });

  it('answers ResourceNotFoundException for a missing rule', async () => {
    await expectAwsError(
      client.send(new DescribeRuleCommand({ Name: 'r' })),
      'ResourceNotFoundException',
      'Rule r does not exist on EventBus default.',
    );
    const bus = await newBus('norule');
    await expectAwsError(
      client.send(new DescribeRuleCommand({ Name: 'r', EventBusName: bus })),
      'ResourceNotFoundException',
      `Rule r does not exist on EventBus ${bus}.`,
    );
  });

  it('disables and enables a rule', async () => {
    await client.send(new PutRuleCommand({ Name: 'toggle', EventPattern: SHOP_PATTERN }));
    await client.send(new DisableRuleCommand({ Name: 'toggle' }));
    expect((await client.send(new DescribeRuleCommand({ Name: 'toggle' }))).State).toBe('DISABLED');
    await client.send(new EnableRuleCommand({ Name: 'toggle' }));
    expect((await client.send(new DescribeRuleCommand({ Name: 'toggle' }))).State).toBe('ENABLED');
    await expectAwsError(
      client.send(new EnableRuleCommand({ Name: 'nope' })),
      'ResourceNotFoundException',
      'Rule nope does not exist on EventBus default.',
    );
    await expectAwsError(
      client.send(new DisableRuleCommand({ Name: 'nope' })),
      'ResourceNotFoundException',
      'Rule nope does not exist on EventBus default.',
    );
  });

  it('lists rules with NamePrefix, Limit and NextToken', async () => {
    const bus = await newBus('list');
    const names = ['lr-1', 'lr-2', 'lr-3', 'lr-4', 'lr-5'];
    for (const name of names) {
      await client.send(new PutRuleCommand({ Name: name, EventBusName: bus, EventPattern: SHOP_PATTERN }));
    }
    await client.send(new PutRuleCommand({ Name: 'other', EventBusName: bus, EventPattern: SHOP_PATTERN }));

    const seen: string[] = [];
    const pageSizes: number[] = [];
    let nextToken: string | undefined;
    do {
      const out = await client.send(
        new ListRulesCommand({
          EventBusName: bus,
          NamePrefix: 'lr-',
          Limit: 2,
          ...nextTokenMember(nextToken),
        }),
      );
      pageSizes.push(out.Rules!.length);
      for (const rule of out.Rules!) {
        expect(rule).toMatchObject({
          Arn: `${ARN_PREFIX}:rule/${bus}/${rule.Name}`,
          EventPattern: SHOP_PATTERN,
          State: 'ENABLED',
          EventBusName: bus,
        });
        seen.push(rule.Name!);
      }
      nextToken = out.NextToken;
    } while (nextToken !== undefined);
    expect(pageSizes).toEqual([2, 2, 1]);
    expect(seen).toEqual(names);

    const all = await client.send(new ListRulesCommand({ EventBusName: bus }));
    expect(all.Rules!.map((r) => r.Name)).toEqual([...names, 'other']);
    expect(all.NextToken).toBeUndefined();
  });

  it('refuses to list rules of a missing bus', async () => {
    await expectAwsError(
      client.send(new ListRulesCommand({ EventBusName: 'ghost' })),
      'ResourceNotFoundException',
      'Event bus ghost does not exist.',
    );
  });

  it('deletes a rule, and deleting a missing rule succeeds', async () => {
    await client.send(new PutRuleCommand({ Name: 'to-delete', EventPattern: SHOP_PATTERN }));
    await client.send(new DeleteRuleCommand({ Name: 'to-delete' }));
    await expectAwsError(
      client.send(new DescribeRuleCommand({ Name: 'to-delete' })),
      'ResourceNotFoundException',
      'Rule to-delete does not exist on EventBus default.',
    );
    const again = await client.send(new DeleteRuleCommand({ Name: 'to-delete' }));
    expect(again.$metadata.httpStatusCode).toBe(200);
  });

  it('refuses to delete a rule that has targets', async () => {
    await client.send(new PutRuleCommand({ Name: 'with-targets', EventPattern: SHOP_PATTERN }));
    await client.send(
      new PutTargetsCommand({ Rule: 'with-targets', Targets: [{ Id: 't1', Arn: QUEUE_ARN }] }),
    );
    await expectAwsError(
      client.send(new DeleteRuleCommand({ Name: 'with-targets' })),
      'ValidationException',
      "Rule can't be deleted since it has targets.",
    );
  });

  it('lists rule names by target ARN, paged', async () => {
    const bus = await newBus('bytarget');
    const arn = `${ARN_PREFIX}:event-bus/elsewhere`;
    for (const name of ['bt-1', 'bt-2', 'bt-3']) {
      await client.send(new PutRuleCommand({ Name: name, EventBusName: bus, EventPattern: SHOP_PATTERN }));
      await client.send(
        new PutTargetsCommand({ Rule: name, EventBusName: bus, Targets: [{ Id: 'x', Arn: arn }] }),
      );
    }
    await client.send(
      new PutRuleCommand({ Name: 'bt-other', EventBusName: bus, EventPattern: SHOP_PATTERN }),
    );
    await client.send(
      new PutTargetsCommand({ Rule: 'bt-other', EventBusName: bus, Targets: [{ Id: 'x', Arn: QUEUE_ARN }] }),
    );

    const all = await client.send(new ListRuleNamesByTargetCommand({ TargetArn: arn, EventBusName: bus }));
    expect(all.RuleNames).toEqual(['bt-1', 'bt-2', 'bt-3']);

    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const out = await client.send(
        new ListRuleNamesByTargetCommand({
          TargetArn: arn,
          EventBusName: bus,
          Limit: 1,
          ...nextTokenMember(nextToken),
        }),
      );
      expect(out.RuleNames!.length).toBeLessThanOrEqual(1);
      seen.push(...out.RuleNames!);
      nextToken = out.NextToken;
      pages++;
    } while (nextToken !== undefined && pages < 10);
    expect(seen).toEqual(['bt-1', 'bt-2', 'bt-3']);
  });
});

describe('targets', () => {
  it('puts targets and lists them back with every member', async () => {
    const bus = await newBus('targets');
    await client.send(new PutRuleCommand({ Name: 'tr', EventBusName: bus, EventPattern: SHOP_PATTERN }));
    const targets: Target[] = [
      { Id: 'plain', Arn: QUEUE_ARN },
      { Id: 'with-input', Arn: QUEUE_ARN, Input: '{"fixed":true}' },
      { Id: 'with-path', Arn: QUEUE_ARN, InputPath: '$.detail' },
      {
        Id: 'with-transformer',
        Arn: QUEUE_ARN,
        InputTransformer: { InputPathsMap: { src: '$.source' }, InputTemplate: '{"from": <src>}' },
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 600 },
        DeadLetterConfig: { Arn: `arn:aws:sqs:${TEST_REGION}:${TEST_ACCOUNT}:dlq` },
        SqsParameters: { MessageGroupId: 'g1' },
      },
    ];
    const out = await client.send(new PutTargetsCommand({ Rule: 'tr', EventBusName: bus, Targets: targets }));
    expect(out.FailedEntryCount).toBe(0);
    expect(out.FailedEntries ?? []).toEqual([]);

    const listed = await client.send(new ListTargetsByRuleCommand({ Rule: 'tr', EventBusName: bus }));
    expect(listed.Targets).toEqual(targets);
    expect(listed.NextToken).toBeUndefined();
  });

  it('pages through targets with Limit and NextToken', async () => {
    await client.send(new PutRuleCommand({ Name: 'paged-targets', EventPattern: SHOP_PATTERN }));
    const ids = ['a', 'b', 'c', 'd', 'e'];
    await client.send(
      new PutTargetsCommand({ Rule: 'paged-targets', Targets: ids.map((Id) => ({ Id, Arn: QUEUE_ARN })) }),
    );
    const seen: string[] = [];
    const pageSizes: number[] = [];
    let nextToken: string | undefined;
    do {
      const out = await client.send(
        new ListTargetsByRuleCommand({ Rule: 'paged-targets', Limit: 2, ...nextTokenMember(nextToken) }),
      );
      pageSizes.push(out.Targets!.length);
      seen.push(...out.Targets!.map((t) => t.Id!));
      nextToken = out.NextToken;
    } while (nextToken !== undefined);
    expect(pageSizes).toEqual([2, 2, 1]);
    expect(seen).toEqual(ids);
  });

  it('replaces a target with the same Id instead of adding one', async () => {
    await client.send(new PutRuleCommand({ Name: 'upsert-target', EventPattern: SHOP_PATTERN }));
    await client.send(
      new PutTargetsCommand({ Rule: 'upsert-target', Targets: [{ Id: 't', Arn: QUEUE_ARN }] }),
    );
    await client.send(
      new PutTargetsCommand({
        Rule: 'upsert-target',
        Targets: [{ Id: 't', Arn: QUEUE_ARN, Input: '{"v":2}' }],
      }),
    );
    const listed = await client.send(new ListTargetsByRuleCommand({ Rule: 'upsert-target' }));
    expect(listed.Targets).toEqual([{ Id: 't', Arn: QUEUE_ARN, Input: '{"v":2}' }]);
  });

  it('refuses a sixth target with LimitExceededException', async () => {
    await client.send(new PutRuleCommand({ Name: 'five-targets', EventPattern: SHOP_PATTERN }));
    await client.send(
      new PutTargetsCommand({
        Rule: 'five-targets',
        Targets: ['1', '2', '3', '4', '5'].map((Id) => ({ Id, Arn: QUEUE_ARN })),
      }),
    );
    await expectAwsError(
      client.send(new PutTargetsCommand({ Rule: 'five-targets', Targets: [{ Id: '6', Arn: QUEUE_ARN }] })),
      'LimitExceededException',
      'The requested resource exceeds the maximum number allowed.',
    );
    const listed = await client.send(new ListTargetsByRuleCommand({ Rule: 'five-targets' }));
    expect(listed.Targets).toHaveLength(5);
  });

  it('validates target ids at targets.N.member.id', async () => {
    await client.send(new PutRuleCommand({ Name: 'bad-target-id', EventPattern: SHOP_PATTERN }));
    await expectAwsError(
      client.send(
        new PutTargetsCommand({ Rule: 'bad-target-id', Targets: [{ Id: '!@#$@!#$', Arn: QUEUE_ARN }] }),
      ),
      'ValidationException',
      "1 validation error detected: Value '!@#$@!#$' at 'targets.1.member.id' failed to satisfy constraint: " +
        'Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+',
    );
  });

  it('refuses two input modes on one target', async () => {
    await client.send(new PutRuleCommand({ Name: 'two-inputs', EventPattern: SHOP_PATTERN }));
    await expectAwsError(
      client.send(
        new PutTargetsCommand({
          Rule: 'two-inputs',
          Targets: [{ Id: 't1', Arn: QUEUE_ARN, Input: '{}', InputPath: '$.detail' }],
        }),
      ),
      'ValidationException',
      'Only one of Input, InputPath, or InputTransformer must be provided for target t1.',
    );
  });

  it('refuses targets for a missing rule', async () => {
    await expectAwsError(
      client.send(new PutTargetsCommand({ Rule: 'nope', Targets: [{ Id: 't', Arn: QUEUE_ARN }] })),
      'ResourceNotFoundException',
      'Rule nope does not exist on EventBus default.',
    );
    await expectAwsError(
      client.send(new ListTargetsByRuleCommand({ Rule: 'nope' })),
      'ResourceNotFoundException',
      'Rule nope does not exist on EventBus default.',
    );
  });

  it('removes targets, then the rule can be deleted', async () => {
    await client.send(new PutRuleCommand({ Name: 'remove-me', EventPattern: SHOP_PATTERN }));
    await client.send(
      new PutTargetsCommand({
        Rule: 'remove-me',
        Targets: [
          { Id: 'a', Arn: QUEUE_ARN },
          { Id: 'b', Arn: QUEUE_ARN },
        ],
      }),
    );
    const removed = await client.send(new RemoveTargetsCommand({ Rule: 'remove-me', Ids: ['a'] }));
    expect(removed.FailedEntryCount).toBe(0);
    expect(removed.FailedEntries ?? []).toEqual([]);
    const listed = await client.send(new ListTargetsByRuleCommand({ Rule: 'remove-me' }));
    expect(listed.Targets!.map((t) => t.Id)).toEqual(['b']);
    await client.send(new RemoveTargetsCommand({ Rule: 'remove-me', Ids: ['b'] }));
    await client.send(new DeleteRuleCommand({ Name: 'remove-me' }));
  });
});

describe('PutEvents', () => {
  const entry = (over: Partial<PutEventsRequestEntry> = {}): PutEventsRequestEntry => ({
    Source: 'shop',
    DetailType: 'order placed',
    Detail: '{"orderId":"o-1","total":42}',
    ...over,
  });

  it('accepts events and stores the envelope AWS describes', async () => {
    const bus = await newBus('events');
    const time = new Date('2026-01-02T03:04:05.678Z');
    const out = await client.send(
      new PutEventsCommand({
        Entries: [
          entry({ EventBusName: bus, Time: time, Resources: ['arn:aws:s3:::bucket'] }),
          entry({ EventBusName: bus }),
        ],
      }),
    );
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(out.FailedEntryCount).toBe(0);
    expect(out.Entries).toHaveLength(2);
    for (const e of out.Entries!) {
      expect(e.EventId).toMatch(UUID);
      expect(e.ErrorCode).toBeUndefined();
    }

    const stored = await server.app.store.getEvent(out.Entries![0]!.EventId!);
    expect(stored).toBeDefined();
    expect(stored!.busName).toBe(bus);
    const envelope = JSON.parse(stored!.envelope) as Record<string, unknown>;
    expect(Object.keys(envelope)).toEqual([
      'version',
      'id',
      'detail-type',
      'source',
      'account',
      'time',
      'region',
      'resources',
      'detail',
    ]);
    expect(envelope).toEqual({
      version: '0',
      id: out.Entries![0]!.EventId,
      'detail-type': 'order placed',
      source: 'shop',
      account: TEST_ACCOUNT,
      time: '2026-01-02T03:04:05Z',
      region: TEST_REGION,
      resources: ['arn:aws:s3:::bucket'],
      detail: { orderId: 'o-1', total: 42 },
    });
    const second = JSON.parse(
      (await server.app.store.getEvent(out.Entries![1]!.EventId!))!.envelope,
    ) as Record<string, unknown>;
    expect(second['resources']).toEqual([]);
    expect(second['time']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });

  it('writes one delivery per matched enabled rule target with the event', async () => {
    const bus = await newBus('routing');
    await client.send(new PutRuleCommand({ Name: 'match', EventBusName: bus, EventPattern: SHOP_PATTERN }));
    await client.send(
      new PutTargetsCommand({
        Rule: 'match',
        EventBusName: bus,
        Targets: [
          { Id: 'q1', Arn: QUEUE_ARN },
          { Id: 'q2', Arn: QUEUE_ARN },
        ],
      }),
    );
    await client.send(
      new PutRuleCommand({ Name: 'no-match', EventBusName: bus, EventPattern: '{"source":["elsewhere"]}' }),
    );
    await client.send(
      new PutTargetsCommand({ Rule: 'no-match', EventBusName: bus, Targets: [{ Id: 'q', Arn: QUEUE_ARN }] }),
    );
    await client.send(
      new PutRuleCommand({
        Name: 'disabled',
        EventBusName: bus,
        EventPattern: SHOP_PATTERN,
        State: 'DISABLED',
      }),
    );
    await client.send(
      new PutTargetsCommand({ Rule: 'disabled', EventBusName: bus, Targets: [{ Id: 'q', Arn: QUEUE_ARN }] }),
    );

    const out = await client.send(new PutEventsCommand({ Entries: [entry({ EventBusName: bus })] }));
    const eventId = out.Entries![0]!.EventId!;
    const deliveries = await server.app.store.listDeliveries({ eventId }, { limit: 100 });
    expect(deliveries.items.map((d) => [d.ruleName, d.targetId]).sort()).toEqual([
      ['match', 'q1'],
      ['match', 'q2'],
    ]);
    expect(deliveries.items[0]!.ruleArn).toBe(`${ARN_PREFIX}:rule/${bus}/match`);
  });

  it('fails single entries with AWS codes and texts, in order, with HTTP 200', async () => {
    const out = await client.send(
      new PutEventsCommand({
        Entries: [
          entry(),
          entry({ Source: undefined }),
          entry({ DetailType: undefined }),
          entry({ Detail: undefined }),
          entry({ Detail: '"just a string"' }),
          entry({ Detail: '[1, 2]' }),
          entry({ Detail: '{not json' }),
          entry({ Source: 'aws.ec2' }),
          entry({ EventBusName: 'no-such-bus' }),
        ],
      }),
    );
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(out.FailedEntryCount).toBe(7);
    const entries = out.Entries!;
    expect(entries).toHaveLength(9);
    expect(entries[0]!.EventId).toMatch(UUID);
    const failures = entries
      .slice(1, 8)
      .map((e) => ({ EventId: e.EventId, ErrorCode: e.ErrorCode, ErrorMessage: e.ErrorMessage }));
    expect(failures).toEqual([
      {
        EventId: undefined,
        ErrorCode: 'InvalidArgument',
        ErrorMessage: 'Parameter Source is not valid. Reason: Source is a required argument.',
      },
      {
        EventId: undefined,
        ErrorCode: 'InvalidArgument',
        ErrorMessage: 'Parameter DetailType is not valid. Reason: DetailType is a required argument.',
      },
      {
        EventId: undefined,
        ErrorCode: 'InvalidArgument',
        ErrorMessage: 'Parameter Detail is not valid. Reason: Detail is a required argument.',
      },
      { EventId: undefined, ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
      { EventId: undefined, ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
      { EventId: undefined, ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
      {
        EventId: undefined,
        ErrorCode: 'NotAuthorizedForSourceException',
        ErrorMessage: 'Not authorized for the source.',
      },
    ]);
    // A bus that does not exist: AWS answers with an EventId and drops the event.
    expect(entries[8]).toEqual({ EventId: expect.stringMatching(UUID) });
  });

  it('answers FailedEntryCount equal to the entries when all fail, still HTTP 200', async () => {
    const out = await client.send(new PutEventsCommand({ Entries: [entry({ Detail: '[]' })] }));
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(out.FailedEntryCount).toBe(1);
    expect(out.Entries).toEqual([{ ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' }]);
  });

  it('accepts a bus ARN as EventBusName', async () => {
    const bus = await newBus('by-arn');
    const out = await client.send(
      new PutEventsCommand({ Entries: [entry({ EventBusName: `${ARN_PREFIX}:event-bus/${bus}` })] }),
    );
    expect(out.FailedEntryCount).toBe(0);
    const stored = await server.app.store.getEvent(out.Entries![0]!.EventId!);
    expect(stored?.busName).toBe(bus);
  });

  it('fails the whole request for a malformed EventBusName at entries.N.member.eventBusName', async () => {
    await expectAwsError(
      client.send(new PutEventsCommand({ Entries: [entry(), entry({ EventBusName: 'bad name!' })] })),
      'ValidationException',
      /^1 validation error detected: Value 'bad name!' at 'entries\.2\.member\.eventBusName' failed to satisfy constraint: Member must satisfy regular expression pattern: /,
    );
  });

  it('refuses 11 entries with a ValidationException at entries', async () => {
    const entries = Array.from({ length: 11 }, () => entry());
    await expectAwsError(
      client.send(new PutEventsCommand({ Entries: entries })),
      'ValidationException',
      /^1 validation error detected: Value '.*' at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10$/s,
    );
  });

  it('refuses a request whose entries total more than 256 KiB', async () => {
    const detail = JSON.stringify({ blob: 'x'.repeat(262_144) });
    await expectAwsError(
      client.send(new PutEventsCommand({ Entries: [entry({ Detail: detail })] })),
      'ValidationException',
      'Total size of the entries in the request is over the limit.',
    );
    // Split over entries: the total counts, not each entry.
    const half = JSON.stringify({ blob: 'x'.repeat(140_000) });
    await expectAwsError(
      client.send(new PutEventsCommand({ Entries: [entry({ Detail: half }), entry({ Detail: half })] })),
      'ValidationException',
      'Total size of the entries in the request is over the limit.',
    );
  });
});

describe('TestEventPattern', () => {
  const event = JSON.stringify({
    id: '1',
    source: 'shop',
    'detail-type': 'order placed',
    account: TEST_ACCOUNT,
    region: TEST_REGION,
    time: '2026-01-01T00:00:00Z',
    resources: [],
    detail: { total: 42 },
  });

  it('answers Result true and false', async () => {
    const yes = await client.send(
      new TestEventPatternCommand({
        EventPattern: '{"detail":{"total":[{"numeric":[">",40]}]}}',
        Event: event,
      }),
    );
    expect(yes.Result).toBe(true);
    const no = await client.send(
      new TestEventPatternCommand({ EventPattern: '{"source":["other"]}', Event: event }),
    );
    expect(no.Result).toBe(false);
  });

  it('answers InvalidEventPatternException and ValidationException', async () => {
    await expectAwsError(
      client.send(new TestEventPatternCommand({ EventPattern: '{"int": 42}', Event: event })),
      'InvalidEventPatternException',
      'Event pattern is not valid. Reason: "int" must be an object or an array',
    );
    await expectAwsError(
      client.send(new TestEventPatternCommand({ EventPattern: SHOP_PATTERN, Event: '"plain string"' })),
      'ValidationException',
      'Parameter Event is not valid.',
    );
  });
});

describe('tags', () => {
  it('tags, lists and untags a rule and a bus', async () => {
    const bus = await newBus('tagged');
    const { RuleArn } = await client.send(
      new PutRuleCommand({
        Name: 'tagged-rule',
        EventBusName: bus,
        EventPattern: SHOP_PATTERN,
        Tags: [{ Key: 'created', Value: 'with-rule' }],
      }),
    );
    await client.send(
      new TagResourceCommand({
        ResourceARN: RuleArn,
        Tags: [
          { Key: 'env', Value: 'test' },
          { Key: 'team', Value: 'a' },
        ],
      }),
    );
    await client.send(new TagResourceCommand({ ResourceARN: RuleArn, Tags: [{ Key: 'team', Value: 'b' }] }));
    const listed = await client.send(new ListTagsForResourceCommand({ ResourceARN: RuleArn }));
    expect(listed.Tags!.slice().sort((x, y) => x.Key!.localeCompare(y.Key!))).toEqual([
      { Key: 'created', Value: 'with-rule' },
      { Key: 'env', Value: 'test' },
      { Key: 'team', Value: 'b' },
    ]);
    await client.send(new UntagResourceCommand({ ResourceARN: RuleArn, TagKeys: ['env', 'created'] }));
    expect((await client.send(new ListTagsForResourceCommand({ ResourceARN: RuleArn }))).Tags).toEqual([
      { Key: 'team', Value: 'b' },
    ]);

    const busArn = `${ARN_PREFIX}:event-bus/${bus}`;
    await client.send(new TagResourceCommand({ ResourceARN: busArn, Tags: [{ Key: 'k', Value: '' }] }));
    expect((await client.send(new ListTagsForResourceCommand({ ResourceARN: busArn }))).Tags).toEqual([
      { Key: 'k', Value: '' },
    ]);
  });

  it('answers ResourceNotFoundException for missing resources', async () => {
    await expectAwsError(
      client.send(
        new TagResourceCommand({
          ResourceARN: `${ARN_PREFIX}:rule/missing`,
          Tags: [{ Key: 'a', Value: 'b' }],
        }),
      ),
      'ResourceNotFoundException',
      'Rule missing does not exist on EventBus default.',
    );
    await expectAwsError(
      client.send(new ListTagsForResourceCommand({ ResourceARN: `${ARN_PREFIX}:event-bus/missing` })),
      'ResourceNotFoundException',
      'Event bus missing does not exist.',
    );
    await expectAwsError(
      client.send(
        new UntagResourceCommand({ ResourceARN: `${ARN_PREFIX}:event-bus/missing`, TagKeys: ['a'] }),
      ),
      'ResourceNotFoundException',
      'Event bus missing does not exist.',
    );
  });
});

describe('permissions', () => {
  it('adds a statement to the bus policy and removes it', async () => {
    const bus = await newBus('perm');
    const busArn = `${ARN_PREFIX}:event-bus/${bus}`;
    await client.send(
      new PutPermissionCommand({
        EventBusName: bus,
        Action: 'events:PutEvents',
        Principal: '123456789012',
        StatementId: 'allow-partner',
      }),
    );
    const described = await client.send(new DescribeEventBusCommand({ Name: bus }));
    const policy = JSON.parse(described.Policy!) as { Statement: unknown[] };
    expect(policy.Statement).toEqual([
      {
        Sid: 'allow-partner',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::123456789012:root' },
        Action: 'events:PutEvents',
        Resource: busArn,
      },
    ]);

    await expectAwsError(
      client.send(new RemovePermissionCommand({ EventBusName: bus, StatementId: 'unknown-sid' })),
      'ResourceNotFoundException',
      'Statement with the provided id does not exist.',
    );
    await client.send(new RemovePermissionCommand({ EventBusName: bus, StatementId: 'allow-partner' }));
    const after = await client.send(new DescribeEventBusCommand({ Name: bus }));
    expect(
      after.Policy === undefined ||
        (JSON.parse(after.Policy) as { Statement: unknown[] }).Statement.length === 0,
    ).toBe(true);
  });

  it('refuses a permission on a missing bus', async () => {
    await expectAwsError(
      client.send(
        new PutPermissionCommand({
          EventBusName: 'ghost',
          Action: 'events:PutEvents',
          Principal: '*',
          StatementId: 's',
        }),
      ),
      'ResourceNotFoundException',
      'Event bus ghost does not exist.',
    );
  });
});
