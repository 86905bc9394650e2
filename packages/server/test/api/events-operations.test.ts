/**
 * The AWSEvents.* handlers against the real bus service on a real (in-memory) SQLite store: wire
 * validation texts, member mapping in and out, and timestamps.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OperationHandler } from '../../src/api/aws-json/protocol.js';
import { SerializationError } from '../../src/api/error-shapes.js';
import { createEventsOperations } from '../../src/api/operations/events.js';
import { createBusService } from '../../src/bus/bus-service.js';
import { ValidationError } from '../../src/errors.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';

const CONFIG = { region: 'us-east-1', accountId: '000000000000' };
const NOW = Date.UTC(2026, 0, 2, 3, 4, 5, 250);

let store: Store;
let operations: Map<string, OperationHandler>;

beforeEach(async () => {
  store = createSqliteStore({ path: ':memory:' });
  const bus = await createBusService(
    store,
    {
      ...CONFIG,
      maxRulesPerBus: 300,
      maxEventPatternLength: 4096,
      maxEventsRequestBytes: 262_144,
      strictEventBus: false,
    },
    {},
    () => NOW,
  );
  operations = createEventsOperations(bus, CONFIG);
});

afterEach(async () => {
  await store.close();
});

async function call(operation: string, input: Record<string, unknown>): Promise<Record<string, unknown>> {
  const handler = operations.get(`AWSEvents.${operation}`);
  if (handler === undefined) throw new Error(`no handler for ${operation}`);
  return (await handler(input, { requestId: 'test' })) ?? {};
}

async function failure(operation: string, input: Record<string, unknown>): Promise<Error> {
  const error = await call(operation, input).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

describe('AWSEvents operation table', () => {
  it('has every operation of the bus service', () => {
    expect([...operations.keys()].sort()).toEqual(
      [
        'CreateEventBus',
        'DeleteEventBus',
        'DescribeEventBus',
        'ListEventBuses',
        'UpdateEventBus',
        'PutRule',
        'DeleteRule',
        'DescribeRule',
        'EnableRule',
        'DisableRule',
        'ListRules',
        'ListRuleNamesByTarget',
        'PutTargets',
        'RemoveTargets',
        'ListTargetsByRule',
        'PutEvents',
        'TestEventPattern',
        'TagResource',
        'UntagResource',
        'ListTagsForResource',
        'PutPermission',
        'RemovePermission',
      ]
        .map((name) => `AWSEvents.${name}`)
        .sort(),
    );
  });
});

describe('event buses', () => {
  it('creates and describes a bus with the model’s member names and epoch-second times', async () => {
    const created = await call('CreateEventBus', {
      Name: 'orders',
      Description: 'order events',
      DeadLetterConfig: { Arn: 'arn:aws:sqs:us-east-1:000000000000:dlq' },
      Tags: [{ Key: 'team', Value: 'core' }],
    });
    expect(created).toMatchObject({
      EventBusArn: 'arn:aws:events:us-east-1:000000000000:event-bus/orders',
      Description: 'order events',
      DeadLetterConfig: { Arn: 'arn:aws:sqs:us-east-1:000000000000:dlq' },
    });
    const described = await call('DescribeEventBus', { Name: 'orders' });
    expect(described).toMatchObject({
      Name: 'orders',
      Arn: 'arn:aws:events:us-east-1:000000000000:event-bus/orders',
      Description: 'order events',
      CreationTime: NOW / 1000,
      LastModifiedTime: NOW / 1000,
    });
    const tags = await call('ListTagsForResource', { ResourceARN: created.EventBusArn });
    expect(tags).toEqual({ Tags: [{ Key: 'team', Value: 'core' }] });
  });

  it('validates bus names with the model pattern', async () => {
    const error = await failure('CreateEventBus', { Name: 'bad name' });
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toBe(
      "1 validation error detected: Value 'bad name' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [/\\.\\-_A-Za-z0-9]+",
    );
  });

  it('validates LogConfig enums and the list limit', async () => {
    const error = await failure('CreateEventBus', { Name: 'b', LogConfig: { Level: 'LOUD' } });
    expect(error.message).toBe(
      "1 validation error detected: Value 'LOUD' at 'logConfig.level' failed to satisfy constraint: Member must satisfy enum value set: [OFF, ERROR, INFO, TRACE]",
    );
    const limit = await failure('ListEventBuses', { Limit: 0 });
    expect(limit.message).toBe(
      "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
  });

  it('lists buses including default', async () => {
    const listed = await call('ListEventBuses', {});
    expect(listed.EventBuses).toEqual([
      expect.objectContaining({
        Name: 'default',
        Arn: 'arn:aws:events:us-east-1:000000000000:event-bus/default',
      }),
    ]);
  });
});

describe('rules', () => {
  it('puts, describes and lists a rule with the model’s output members', async () => {
    const put = await call('PutRule', { Name: 'r1', EventPattern: '{"source":["a"]}', Description: 'd' });
    expect(put).toEqual({ RuleArn: 'arn:aws:events:us-east-1:000000000000:rule/r1' });
    const described = await call('DescribeRule', { Name: 'r1' });
    expect(described).toEqual({
      Name: 'r1',
      Arn: 'arn:aws:events:us-east-1:000000000000:rule/r1',
      EventPattern: '{"source":["a"]}',
      State: 'ENABLED',
      Description: 'd',
      EventBusName: 'default',
      CreatedBy: '000000000000',
    });
    const listed = await call('ListRules', { NamePrefix: 'r' });
    expect(listed.Rules).toEqual([
      {
        Name: 'r1',
        Arn: 'arn:aws:events:us-east-1:000000000000:rule/r1',
        EventPattern: '{"source":["a"]}',
        State: 'ENABLED',
        Description: 'd',
        EventBusName: 'default',
      },
    ]);
  });

  it('collects every shape violation of PutRule in member order', async () => {
    const error = await failure('PutRule', {
      Name: 'x'.repeat(65),
      State: 'ON',
      Description: 'd'.repeat(513),
      EventBusName: 'bad bus',
    });
    expect(error.message).toBe(
      [
        "4 validation errors detected: Value '" +
          'x'.repeat(65) +
          "' at 'name' failed to satisfy constraint: Member must have length less than or equal to 64",
        "Value 'ON' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]",
        "Value '" +
          'd'.repeat(513) +
          "' at 'description' failed to satisfy constraint: Member must have length less than or equal to 512",
        "Value 'bad bus' at 'eventBusName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:aws[\\w-]*:events:[a-z]+-[a-z]+-[\\w-]+:[0-9]{12}:event-bus\\/)?[/\\.\\-_A-Za-z0-9]+",
      ].join('; '),
    );
  });

  it('reports a missing required member', async () => {
    const error = await failure('DescribeRule', {});
    expect(error.message).toBe(
      "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null",
    );
  });

  it('refuses wrong JSON types with SerializationException', async () => {
    const error = await failure('PutRule', { Name: 42 });
    expect(error).toBeInstanceOf(SerializationError);
    expect(error.message).toBe("Value at 'name' must be a string, not a number.");
  });
});

describe('targets', () => {
  beforeEach(async () => {
    await call('PutRule', { Name: 'r1', EventPattern: '{"source":["a"]}' });
  });

  it('keeps other target parameters as given and maps the rest both ways', async () => {
    const target = {
      Id: 't1',
      Arn: 'arn:aws:events:us-east-1:000000000000:api-destination/d/1',
      RoleArn: 'arn:aws:iam::000000000000:role/r',
      InputTransformer: { InputPathsMap: { src: '$.source' }, InputTemplate: '{"s": <src>}' },
      RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 600 },
      DeadLetterConfig: { Arn: 'arn:aws:sqs:us-east-1:000000000000:dlq' },
      HttpParameters: { HeaderParameters: { 'X-Tenant': 'acme' }, QueryStringParameters: { a: 'b' } },
      SqsParameters: { MessageGroupId: 'g' },
    };
    expect(await call('PutTargets', { Rule: 'r1', Targets: [target] })).toEqual({
      FailedEntryCount: 0,
      FailedEntries: [],
    });
    const listed = await call('ListTargetsByRule', { Rule: 'r1' });
    expect(listed.Targets).toEqual([target]);
    expect(await call('ListRuleNamesByTarget', { TargetArn: target.Arn })).toEqual({ RuleNames: ['r1'] });
  });

  it('reports a bad target id at targets.N.member.id (recorded text)', async () => {
    const error = await failure('PutTargets', { Rule: 'r1', Targets: [{ Id: '!@#$@!#$', Arn: 'arn:x' }] });
    expect(error.message).toBe(
      "1 validation error detected: Value '!@#$@!#$' at 'targets.1.member.id' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+",
    );
  });

  it('merges input violations from the patterns package with the other ones', async () => {
    const error = await failure('PutTargets', {
      Rule: 'r1',
      Targets: [
        { Id: 'ok', Arn: 'arn:x', RetryPolicy: { MaximumRetryAttempts: 186 } },
        { Id: 'bad id', Arn: 'arn:x', InputPath: `$.${'a'.repeat(300)}` },
      ],
    });
    expect(error.message).toMatch(/^3 validation errors detected: /);
    expect(error.message).toContain(
      "at 'targets.1.member.retryPolicy.maximumRetryAttempts' failed to satisfy constraint: Member must have value less than or equal to 185",
    );
    expect(error.message).toContain("at 'targets.2.member.id'");
    expect(error.message).toContain(
      "at 'targets.2.member.inputPath' failed to satisfy constraint: Member must have length less than or equal to 256",
    );
  });

  it('raises an operation rule only once the shapes are valid (recorded text)', async () => {
    const error = await failure('PutTargets', {
      Rule: 'r1',
      Targets: [{ Id: 't1', Arn: 'arn:x', Input: '{}', InputPath: '$.detail' }],
    });
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toBe(
      'Only one of Input, InputPath, or InputTransformer must be provided for target t1.',
    );
  });

  it('validates HTTP header parameters', async () => {
    const error = await failure('PutTargets', {
      Rule: 'r1',
      Targets: [{ Id: 't1', Arn: 'arn:x', HttpParameters: { HeaderParameters: { 'bad header': 'v' } } }],
    });
    expect(error.message).toContain(
      "at 'targets.1.member.httpParameters.headerParameters' failed to satisfy constraint: Map keys must satisfy constraint",
    );
  });

  it('refuses a parameter that is not an object', async () => {
    const error = await failure('PutTargets', {
      Rule: 'r1',
      Targets: [{ Id: 't1', Arn: 'arn:x', SqsParameters: 'g' }],
    });
    expect(error).toBeInstanceOf(SerializationError);
  });

  it('refuses parameters nested absurdly deep, and ignores members that are not model members', async () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 100; i++) deep = { Next: deep };
    const error = await failure('PutTargets', {
      Rule: 'r1',
      Targets: [{ Id: 't1', Arn: 'arn:x', EcsParameters: deep }],
    });
    expect(error.message).toContain("Value at 'targets.1.member.ecsParameters' failed to satisfy constraint");

    const target = JSON.parse(
      '{"Id":"t2","Arn":"arn:x","__proto__":{"polluted":true},"lowercase":{"a":1}}',
    ) as object;
    await call('PutTargets', { Rule: 'r1', Targets: [target] });
    expect((await call('ListTargetsByRule', { Rule: 'r1' })).Targets).toEqual([{ Id: 't2', Arn: 'arn:x' }]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('removes targets with the model’s list checks', async () => {
    await call('PutTargets', { Rule: 'r1', Targets: [{ Id: 't1', Arn: 'arn:x' }] });
    expect(await call('RemoveTargets', { Rule: 'r1', Ids: ['t1'] })).toEqual({
      FailedEntryCount: 0,
      FailedEntries: [],
    });
    const error = await failure('RemoveTargets', { Rule: 'r1', Ids: [] });
    expect(error.message).toBe(
      "1 validation error detected: Value '[]' at 'ids' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  });
});

describe('PutEvents', () => {
  it('answers one entry per request entry, in order, with per-entry errors', async () => {
    const output = await call('PutEvents', {
      Entries: [
        { Source: 'my.app', DetailType: 'thing', Detail: '{"a":1}', Time: 1_767_323_045.5 },
        { DetailType: 'thing', Detail: '{}' },
      ],
    });
    expect(output.FailedEntryCount).toBe(1);
    const entries = output.Entries as Array<Record<string, unknown>>;
    expect(entries[0]).toEqual({ EventId: expect.any(String) });
    expect(entries[1]).toEqual({
      ErrorCode: 'InvalidArgument',
      ErrorMessage: 'Parameter Source is not valid. Reason: Source is a required argument.',
    });
  });

  it('refuses 11 entries with AWS’s text, every entry echoed as Java prints it (recorded)', async () => {
    const entry = {
      Source: 'core.update-account-command',
      DetailType: 'core.update-account-command',
      Detail: '{"command": "update-account", "payload": {"acc_id": "0a787ecb-4015", "sf_id": "baz"}}',
      EventBusName: 'my-bus',
    };
    const error = await failure('PutEvents', { Entries: Array.from({ length: 11 }, () => entry) });
    const shown =
      'PutEventsRequestEntry(time=null, source=core.update-account-command, resources=null, detailType=core.update-account-command, detail={"command": "update-account", "payload": {"acc_id": "0a787ecb-4015", "sf_id": "baz"}}, eventBusName=my-bus, traceHeader=null, kmsKeyIdentifier=null, internalMetadata=null)';
    expect(error.message).toBe(
      `1 validation error detected: Value '[${Array.from({ length: 11 }, () => shown).join(', ')}]' at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10`,
    );
  });

  it('echoes deeply nested junk in too many entries without overflowing', async () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 50_000; i++) deep = [deep];
    // The list is printed for its length violation first (depth-limited), then the wrong type stops
    // deserialisation: a client error either way, never a stack overflow.
    const error = await failure('PutEvents', {
      Entries: Array.from({ length: 11 }, () => ({ Resources: deep })),
    });
    expect(error).toBeInstanceOf(SerializationError);
  });

  it('refuses no entries, a partner-style bus name, and EndpointId', async () => {
    expect((await failure('PutEvents', { Entries: [] })).message).toBe(
      "1 validation error detected: Value '[]' at 'entries' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
    expect((await failure('PutEvents', { Entries: [{ EventBusName: 'aws.partner/x' }] })).message).toContain(
      "Value 'aws.partner/x' at 'entries.1.member.eventBusName' failed to satisfy constraint",
    );
    const endpoint = await failure('PutEvents', { Entries: [{ Source: 'a' }], EndpointId: 'abc.xyz' });
    expect(endpoint).toBeInstanceOf(ValidationError);
    expect(endpoint.message).toMatch(/^Global endpoints are not supported/);
  });

  it('refuses a Detail sent as an object', async () => {
    const error = await failure('PutEvents', {
      Entries: [{ Source: 'a', DetailType: 'b', Detail: { a: 1 } }],
    });
    expect(error).toBeInstanceOf(SerializationError);
    expect(error.message).toBe("Value at 'entries.1.member.detail' must be a string, not an object.");
  });
});

describe('TestEventPattern, tags and permissions', () => {
  it('tests a pattern', async () => {
    expect(
      await call('TestEventPattern', {
        EventPattern: '{"source":["a"]}',
        Event: JSON.stringify({
          id: '1',
          account: '000000000000',
          source: 'a',
          time: '2026-01-02T03:04:05Z',
          region: 'us-east-1',
          resources: [],
          'detail-type': 'x',
          detail: {},
        }),
      }),
    ).toEqual({ Result: true });
  });

  it('tags and untags a rule', async () => {
    const { RuleArn } = await call('PutRule', { Name: 'r1', EventPattern: '{"source":["a"]}' });
    await call('TagResource', { ResourceARN: RuleArn, Tags: [{ Key: 'k', Value: '' }] });
    expect(await call('ListTagsForResource', { ResourceARN: RuleArn })).toEqual({
      Tags: [{ Key: 'k', Value: '' }],
    });
    await call('UntagResource', { ResourceARN: RuleArn, TagKeys: ['k'] });
    expect(await call('ListTagsForResource', { ResourceARN: RuleArn })).toEqual({ Tags: [] });
    const error = await failure('TagResource', { ResourceARN: RuleArn, Tags: [{ Key: '', Value: 'v' }] });
    expect(error.message).toBe(
      "1 validation error detected: Value '' at 'tags.1.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  });

  it('puts a permission readable through DescribeEventBus.Policy, and validates the principal', async () => {
    await call('PutPermission', { Action: 'events:PutEvents', Principal: '111122223333', StatementId: 's1' });
    const described = await call('DescribeEventBus', {});
    expect(JSON.parse(String(described.Policy))).toMatchObject({
      Statement: [expect.objectContaining({ Sid: 's1' })],
    });
    const error = await failure('PutPermission', {
      Action: 'events:PutEvents',
      Principal: 'someone',
      StatementId: 's2',
    });
    expect(error.message).toContain(
      "Value 'someone' at 'principal' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\d{12}|\\*)",
    );
    await call('RemovePermission', { StatementId: 's1' });
  });
});
