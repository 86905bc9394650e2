/**
 * The EventBridge operations (`AWSEvents.*`) on the wire: each handler validates the input members
 * against the service model's constraints (botocore `events/2015-10-07/service-2.json`; reference
 * §2.2-2.3) with AWS's messages, maps the PascalCase wire members to the domain's camelCase inputs,
 * calls the BusService, and maps the result back to the exact output members of the model.
 *
 * Only shapes are checked here. Rules of the operations themselves (a rule needs a pattern or a
 * schedule, a bus must exist, PutEvents' 256 KiB total) belong to the domain, which throws its own
 * errors with AWS's texts.
 *
 * Timestamps travel as epoch seconds (JSON numbers, fractional from the JS SDK) and are epoch
 * milliseconds in the domain.
 */
import { InvalidTargetInputError, validateTargetInput, type InputTransformer } from '@busway/patterns';
import type { BusService, PutEventsEntryInput, PutEventsResultEntry, TargetInput } from '../../bus/types.js';
import { ValidationError } from '../../errors.js';
import type { EventBusRecord, RuleRecord, TagRecord, TargetRecord } from '../../store/store.js';
import type { OperationHandler } from '../aws-json/protocol.js';
import {
  formatJavaStructure,
  formatJavaValue,
  lowerCamel,
  memberPath,
  typeError,
  WireValidator,
  type StringConstraints,
} from '../validation.js';

// --- the service model's shapes -----------------------------------------------------------------------

const RULE_NAME: StringConstraints = { min: 1, max: 64, pattern: '[\\.\\-_A-Za-z0-9]+' };
const TARGET_ID = RULE_NAME;
const EVENT_BUS_NAME: StringConstraints = { min: 1, max: 256, pattern: '[/\\.\\-_A-Za-z0-9]+' };
const NON_PARTNER_EVENT_BUS_NAME: StringConstraints = { min: 1, max: 256, pattern: '[\\.\\-_A-Za-z0-9]+' };
const EVENT_BUS_NAME_OR_ARN: StringConstraints = {
  min: 1,
  max: 1600,
  pattern: '(arn:aws[\\w-]*:events:[a-z]+-[a-z]+-[\\w-]+:[0-9]{12}:event-bus\\/)?[/\\.\\-_A-Za-z0-9]+',
};
const NON_PARTNER_EVENT_BUS_NAME_OR_ARN: StringConstraints = {
  min: 1,
  max: 1600,
  pattern: '(arn:aws[\\w-]*:events:[a-z]+-[a-z]+-[\\w-]+:[0-9]{12}:event-bus\\/)?[\\.\\-_A-Za-z0-9]+',
};
const EVENT_SOURCE_NAME: StringConstraints = {
  min: 1,
  max: 256,
  pattern: 'aws\\.partner(/[\\.\\-_A-Za-z0-9]+){2,}',
};
const KMS_KEY_IDENTIFIER: StringConstraints = { max: 2048, pattern: '^[a-zA-Z0-9_\\-/:]*$' };
/** Arn, RoleArn, TargetArn, ResourceArn: 1-1600, no pattern. */
const ARN: StringConstraints = { min: 1, max: 1600 };
const DESCRIPTION: StringConstraints = { max: 512 };
const EVENT_PATTERN: StringConstraints = { max: 4096 };
const SCHEDULE_EXPRESSION: StringConstraints = { max: 256 };
const RULE_STATE: StringConstraints = {
  enum: ['ENABLED', 'DISABLED', 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS'],
};
const NEXT_TOKEN: StringConstraints = { min: 1, max: 2048 };
const LIMIT = { min: 1, max: 100 };
const TAG_KEY: StringConstraints = { min: 1, max: 128 };
const TAG_VALUE: StringConstraints = { min: 0, max: 256 };
const TRACE_HEADER: StringConstraints = { min: 1, max: 500 };
const EVENT_RESOURCE: StringConstraints = { max: 2048 };
const ENDPOINT_ID: StringConstraints = { min: 1, max: 50, pattern: '^[A-Za-z0-9\\-]+[\\.][A-Za-z0-9\\-]+$' };
const ACTION: StringConstraints = { min: 1, max: 64, pattern: 'events:[a-zA-Z]+' };
const PRINCIPAL: StringConstraints = { min: 1, max: 12, pattern: '(\\d{12}|\\*)' };
const STATEMENT_ID: StringConstraints = { min: 1, max: 64, pattern: '[a-zA-Z0-9-_]+' };
const HEADER_KEY: StringConstraints = { max: 512, pattern: "^[!#$%&'*+-.^_`|~0-9a-zA-Z]+$" };
const HEADER_VALUE: StringConstraints = {
  max: 512,
  pattern: '^[ \\t]*[\\x20-\\x7E]+([ \\t]+[\\x20-\\x7E]+)*[ \\t]*$',
};
const QUERY_STRING_KEY: StringConstraints = { max: 512, pattern: '[^\\x00-\\x1F\\x7F]+' };
const QUERY_STRING_VALUE: StringConstraints = {
  max: 512,
  pattern: '[^\\x00-\\x09\\x0B\\x0C\\x0E-\\x1F\\x7F]+',
};
const PATH_PARAMETER: StringConstraints = { pattern: '^(?!\\s*$).+' };
const MESSAGE_GROUP_ID: StringConstraints = { max: 100 };

/** Members of PutEventsRequestEntry in model order, as Coral prints an entry. */
const PUT_EVENTS_ENTRY_MEMBERS = [
  'Time',
  'Source',
  'Resources',
  'DetailType',
  'Detail',
  'EventBusName',
  'TraceHeader',
  'KmsKeyIdentifier',
  'InternalMetadata',
] as const;

/** Members of Target in model order. */
const TARGET_MEMBERS = [
  'Id',
  'Arn',
  'RoleArn',
  'Input',
  'InputPath',
  'InputTransformer',
  'KinesisParameters',
  'RunCommandParameters',
  'EcsParameters',
  'BatchParameters',
  'SqsParameters',
  'HttpParameters',
  'RedshiftDataParameters',
  'SageMakerPipelineParameters',
  'DeadLetterConfig',
  'RetryPolicy',
  'AppSyncParameters',
] as const;

/**
 * Target members Busway maps itself; every other member (HttpParameters, SqsParameters, EcsParameters,
 * ...) is kept as given in `parameters` and returned unchanged by ListTargetsByRule.
 */
const MAPPED_TARGET_MEMBERS = new Set([
  'Id',
  'Arn',
  'RoleArn',
  'Input',
  'InputPath',
  'InputTransformer',
  'DeadLetterConfig',
  'RetryPolicy',
]);

/**
 * Target parameters are stored and returned as given, so their depth is bounded: the deepest in the
 * model (EcsParameters.NetworkConfiguration.awsvpcConfiguration.Subnets) is 4 levels, and an unbounded
 * one could exhaust the stack of whatever serialises it later.
 */
const MAX_PARAMETER_DEPTH = 16;

export interface EventsOperationsConfig {
  region: string;
  accountId: string;
}

/**
 * The `AWSEvents.*` operation table. `config` is accepted for the operations that will need the
 * server's region and account on the wire (ARN checks of partner resources); the domain builds every
 * ARN today.
 */
export function createEventsOperations(
  bus: BusService,
  _config: EventsOperationsConfig,
): Map<string, OperationHandler> {
  const operations: Record<string, OperationHandler> = {
    // --- event buses ----------------------------------------------------------------------------------
    async CreateEventBus(input) {
      const v = new WireValidator();
      const name = v.string(input.Name, 'name', { ...EVENT_BUS_NAME, required: true });
      const eventSourceName = v.string(input.EventSourceName, 'eventSourceName', EVENT_SOURCE_NAME);
      const description = v.string(input.Description, 'description', DESCRIPTION);
      const kmsKeyIdentifier = v.string(input.KmsKeyIdentifier, 'kmsKeyIdentifier', KMS_KEY_IDENTIFIER);
      const deadLetterConfig = readDeadLetterConfig(v, input.DeadLetterConfig, 'deadLetterConfig');
      const logConfig = readLogConfig(v, input.LogConfig, 'logConfig');
      const tags = readTags(v, input.Tags, 'tags');
      v.throwIfInvalid();
      const created = await bus.createEventBus(
        defined({
          name: present(name),
          eventSourceName,
          description,
          kmsKeyIdentifier,
          deadLetterConfig,
          logConfig,
          tags,
        }),
      );
      return {
        EventBusArn: created.arn,
        Description: created.description,
        KmsKeyIdentifier: created.kmsKeyIdentifier,
        DeadLetterConfig: deadLetterConfigOut(created.deadLetterConfig),
        LogConfig: logConfigOut(created.logConfig),
      };
    },

    async DeleteEventBus(input) {
      const v = new WireValidator();
      const name = v.string(input.Name, 'name', { ...EVENT_BUS_NAME, required: true });
      v.throwIfInvalid();
      await bus.deleteEventBus(present(name));
    },

    async DescribeEventBus(input) {
      const v = new WireValidator();
      const name = v.string(input.Name, 'name', EVENT_BUS_NAME_OR_ARN);
      v.throwIfInvalid();
      const found = await bus.describeEventBus(name);
      return {
        Name: found.name,
        Arn: found.arn,
        Description: found.description,
        KmsKeyIdentifier: found.kmsKeyIdentifier,
        DeadLetterConfig: deadLetterConfigOut(found.deadLetterConfig),
        Policy: found.policy,
        LogConfig: logConfigOut(found.logConfig),
        CreationTime: epochSeconds(found.createdAt),
        LastModifiedTime: epochSeconds(found.updatedAt),
      };
    },

    async ListEventBuses(input) {
      const v = new WireValidator();
      const namePrefix = v.string(input.NamePrefix, 'namePrefix', EVENT_BUS_NAME);
      const page = readPage(v, input);
      v.throwIfInvalid();
      const result = await bus.listEventBuses(defined({ namePrefix, ...page }));
      return {
        EventBuses: result.items.map((item: EventBusRecord) => ({
          Name: item.name,
          Arn: item.arn,
          Description: item.description,
          Policy: item.policy,
          CreationTime: epochSeconds(item.createdAt),
          LastModifiedTime: epochSeconds(item.updatedAt),
        })),
        NextToken: result.nextToken,
      };
    },

    async UpdateEventBus(input) {
      const v = new WireValidator();
      const name = v.string(input.Name, 'name', EVENT_BUS_NAME);
      const kmsKeyIdentifier = v.string(input.KmsKeyIdentifier, 'kmsKeyIdentifier', KMS_KEY_IDENTIFIER);
      const description = v.string(input.Description, 'description', DESCRIPTION);
      const deadLetterConfig = readDeadLetterConfig(v, input.DeadLetterConfig, 'deadLetterConfig');
      const logConfig = readLogConfig(v, input.LogConfig, 'logConfig');
      v.throwIfInvalid();
      const updated = await bus.updateEventBus(
        defined({ name, kmsKeyIdentifier, description, deadLetterConfig, logConfig }),
      );
      return {
        Arn: updated.arn,
        Name: updated.name,
        KmsKeyIdentifier: updated.kmsKeyIdentifier,
        Description: updated.description,
        DeadLetterConfig: deadLetterConfigOut(updated.deadLetterConfig),
        LogConfig: logConfigOut(updated.logConfig),
      };
    },

    // --- rules ----------------------------------------------------------------------------------------
    async PutRule(input) {
      const v = new WireValidator();
      const name = v.string(input.Name, 'name', { ...RULE_NAME, required: true });
      const scheduleExpression = v.string(
        input.ScheduleExpression,
        'scheduleExpression',
        SCHEDULE_EXPRESSION,
      );
      const eventPattern = v.string(input.EventPattern, 'eventPattern', EVENT_PATTERN);
      const state = v.string(input.State, 'state', RULE_STATE) as RuleRecord['state'] | undefined;
      const description = v.string(input.Description, 'description', DESCRIPTION);
      const roleArn = v.string(input.RoleArn, 'roleArn', ARN);
      const tags = readTags(v, input.Tags, 'tags');
      const busName = v.string(input.EventBusName, 'eventBusName', EVENT_BUS_NAME_OR_ARN);
      v.throwIfInvalid();
      const rule = await bus.putRule(
        defined({
          name: present(name),
          busName,
          eventPattern,
          scheduleExpression,
          state,
          description,
          roleArn,
          tags,
        }),
      );
      return { RuleArn: rule.arn };
    },

    async DeleteRule(input) {
      const v = new WireValidator();
      const ref = readRuleRef(v, input, 'Name');
      const force = v.boolean(input.Force, 'force');
      v.throwIfInvalid();
      await bus.deleteRule(defined({ ...present(ref), force }));
    },

    async DescribeRule(input) {
      const v = new WireValidator();
      const ref = readRuleRef(v, input, 'Name');
      v.throwIfInvalid();
      const rule = await bus.describeRule(present(ref));
      return {
        Name: rule.name,
        Arn: rule.arn,
        EventPattern: rule.eventPattern,
        ScheduleExpression: rule.scheduleExpression,
        State: rule.state,
        Description: rule.description,
        RoleArn: rule.roleArn,
        ManagedBy: rule.managedBy,
        EventBusName: rule.busName,
        CreatedBy: rule.createdBy,
      };
    },

    async EnableRule(input) {
      const v = new WireValidator();
      const ref = readRuleRef(v, input, 'Name');
      v.throwIfInvalid();
      await bus.enableRule(present(ref));
    },

    async DisableRule(input) {
      const v = new WireValidator();
      const ref = readRuleRef(v, input, 'Name');
      v.throwIfInvalid();
      await bus.disableRule(present(ref));
    },

    async ListRules(input) {
      const v = new WireValidator();
      const namePrefix = v.string(input.NamePrefix, 'namePrefix', RULE_NAME);
      const busName = v.string(input.EventBusName, 'eventBusName', EVENT_BUS_NAME_OR_ARN);
      const page = readPage(v, input);
      v.throwIfInvalid();
      const result = await bus.listRules(defined({ namePrefix, busName, ...page }));
      return {
        Rules: result.items.map((rule) => ({
          Name: rule.name,
          Arn: rule.arn,
          EventPattern: rule.eventPattern,
          State: rule.state,
          Description: rule.description,
          ScheduleExpression: rule.scheduleExpression,
          RoleArn: rule.roleArn,
          ManagedBy: rule.managedBy,
          EventBusName: rule.busName,
        })),
        NextToken: result.nextToken,
      };
    },

    async ListRuleNamesByTarget(input) {
      const v = new WireValidator();
      const targetArn = v.string(input.TargetArn, 'targetArn', { ...ARN, required: true });
      const busName = v.string(input.EventBusName, 'eventBusName', EVENT_BUS_NAME_OR_ARN);
      const page = readPage(v, input);
      v.throwIfInvalid();
      const result = await bus.listRuleNamesByTarget(
        defined({ targetArn: present(targetArn), busName, ...page }),
      );
      return { RuleNames: result.items, NextToken: result.nextToken };
    },

    // --- targets --------------------------------------------------------------------------------------
    async PutTargets(input) {
      const v = new WireValidator();
      const rule = v.string(input.Rule, 'rule', { ...RULE_NAME, required: true });
      const busName = v.string(input.EventBusName, 'eventBusName', EVENT_BUS_NAME_OR_ARN);
      const targets = readTargets(v, input.Targets);
      v.throwIfInvalid();
      const failed = await bus.putTargets(
        defined({ rule: present(rule), busName, targets: present(targets) }),
      );
      return failedTargetsOut(failed);
    },

    async RemoveTargets(input) {
      const v = new WireValidator();
      const rule = v.string(input.Rule, 'rule', { ...RULE_NAME, required: true });
      const busName = v.string(input.EventBusName, 'eventBusName', EVENT_BUS_NAME_OR_ARN);
      const ids = v.stringList(input.Ids, 'ids', { min: 1, max: 100, member: TARGET_ID, required: true });
      const force = v.boolean(input.Force, 'force');
      v.throwIfInvalid();
      const failed = await bus.removeTargets(
        defined({ rule: present(rule), busName, ids: present(ids), force }),
      );
      return failedTargetsOut(failed);
    },

    async ListTargetsByRule(input) {
      const v = new WireValidator();
      const rule = v.string(input.Rule, 'rule', { ...RULE_NAME, required: true });
      const busName = v.string(input.EventBusName, 'eventBusName', EVENT_BUS_NAME_OR_ARN);
      const page = readPage(v, input);
      v.throwIfInvalid();
      const result = await bus.listTargetsByRule(defined({ rule: present(rule), busName, ...page }));
      return { Targets: result.items.map(targetOut), NextToken: result.nextToken };
    },

    // --- events ---------------------------------------------------------------------------------------
    async PutEvents(input) {
      const v = new WireValidator();
      const entries = readPutEventsEntries(v, input.Entries);
      const endpointId = v.string(input.EndpointId, 'endpointId', ENDPOINT_ID);
      v.throwIfInvalid();
      if (endpointId !== undefined) {
        throw new ValidationError(
          'Global endpoints are not supported by Busway: send PutEvents without EndpointId, to the event bus directly.',
        );
      }
      const results = await bus.putEvents(present(entries));
      return putEventsOut(results);
    },

    async TestEventPattern(input) {
      const v = new WireValidator();
      const eventPattern = v.string(input.EventPattern, 'eventPattern', { ...EVENT_PATTERN, required: true });
      const event = v.string(input.Event, 'event', { required: true });
      v.throwIfInvalid();
      return { Result: bus.testEventPattern(present(eventPattern), present(event)) };
    },

    // --- tags -----------------------------------------------------------------------------------------
    async TagResource(input) {
      const v = new WireValidator();
      const resourceArn = v.string(input.ResourceARN, 'resourceARN', { ...ARN, required: true });
      const tags = readTags(v, input.Tags, 'tags', true);
      v.throwIfInvalid();
      await bus.tagResource(present(resourceArn), present(tags));
    },

    async UntagResource(input) {
      const v = new WireValidator();
      const resourceArn = v.string(input.ResourceARN, 'resourceARN', { ...ARN, required: true });
      const keys = v.stringList(input.TagKeys, 'tagKeys', { member: TAG_KEY, required: true });
      v.throwIfInvalid();
      await bus.untagResource(present(resourceArn), present(keys));
    },

    async ListTagsForResource(input) {
      const v = new WireValidator();
      const resourceArn = v.string(input.ResourceARN, 'resourceARN', { ...ARN, required: true });
      v.throwIfInvalid();
      const tags = await bus.listTagsForResource(present(resourceArn));
      return { Tags: tags.map(tagOut) };
    },

    // --- permissions ----------------------------------------------------------------------------------
    async PutPermission(input) {
      const v = new WireValidator();
      const busName = v.string(input.EventBusName, 'eventBusName', NON_PARTNER_EVENT_BUS_NAME);
      const action = v.string(input.Action, 'action', ACTION);
      const principal = v.string(input.Principal, 'principal', PRINCIPAL);
      const statementId = v.string(input.StatementId, 'statementId', STATEMENT_ID);
      const condition = readCondition(v, input.Condition, 'condition');
      const policy = v.string(input.Policy, 'policy');
      v.throwIfInvalid();
      await bus.putPermission(defined({ busName, action, principal, statementId, condition, policy }));
    },

    async RemovePermission(input) {
      const v = new WireValidator();
      const statementId = v.string(input.StatementId, 'statementId', STATEMENT_ID);
      const removeAllPermissions = v.boolean(input.RemoveAllPermissions, 'removeAllPermissions');
      const busName = v.string(input.EventBusName, 'eventBusName', NON_PARTNER_EVENT_BUS_NAME);
      v.throwIfInvalid();
      await bus.removePermission(defined({ statementId, removeAllPermissions, busName }));
    },
  };

  return new Map(Object.entries(operations).map(([name, handler]) => [`AWSEvents.${name}`, handler]));
}

// --- readers: wire -> domain --------------------------------------------------------------------------

function readRuleRef(
  v: WireValidator,
  input: Record<string, unknown>,
  nameMember: 'Name' | 'Rule',
): { name: string; busName?: string } | undefined {
  const name = v.string(input[nameMember], lowerCamel(nameMember), { ...RULE_NAME, required: true });
  const busName = v.string(input.EventBusName, 'eventBusName', EVENT_BUS_NAME_OR_ARN);
  return name === undefined ? undefined : defined({ name, busName });
}

function readPage(v: WireValidator, input: Record<string, unknown>): { nextToken?: string; limit?: number } {
  const nextToken = v.string(input.NextToken, 'nextToken', NEXT_TOKEN);
  const limit = v.integer(input.Limit, 'limit', LIMIT);
  return defined({ nextToken, limit });
}

function readDeadLetterConfig(v: WireValidator, value: unknown, path: string): { arn?: string } | undefined {
  const config = v.object(value, path);
  if (config === undefined) return undefined;
  return defined({ arn: v.string(config.Arn, `${path}.arn`, ARN) });
}

function readLogConfig(
  v: WireValidator,
  value: unknown,
  path: string,
): { includeDetail?: string; level?: string } | undefined {
  const config = v.object(value, path);
  if (config === undefined) return undefined;
  return defined({
    includeDetail: v.string(config.IncludeDetail, `${path}.includeDetail`, { enum: ['NONE', 'FULL'] }),
    level: v.string(config.Level, `${path}.level`, { enum: ['OFF', 'ERROR', 'INFO', 'TRACE'] }),
  });
}

function readTags(v: WireValidator, value: unknown, path: string, required = false): TagRecord[] | undefined {
  const items = v.list(value, path, {
    required,
    shown: (list) => formatJavaValue(list.map((tag) => formatJavaStructure('Tag', ['Key', 'Value'], tag))),
  });
  if (items === undefined) return undefined;
  const tags: TagRecord[] = [];
  items.forEach((item, index) => {
    const at = memberPath(path, index);
    const tag = v.object(item, at, { required: true });
    if (tag === undefined) return;
    const key = v.string(tag.Key, `${at}.key`, { ...TAG_KEY, required: true });
    const tagValue = v.string(tag.Value, `${at}.value`, { ...TAG_VALUE, required: true });
    if (key !== undefined && tagValue !== undefined) tags.push({ key, value: tagValue });
  });
  return tags;
}

function readCondition(
  v: WireValidator,
  value: unknown,
  path: string,
): { type: string; key: string; value: string } | undefined {
  const condition = v.object(value, path);
  if (condition === undefined) return undefined;
  const type = v.string(condition.Type, `${path}.type`, { required: true });
  const key = v.string(condition.Key, `${path}.key`, { required: true });
  const conditionValue = v.string(condition.Value, `${path}.value`, { required: true });
  if (type === undefined || key === undefined || conditionValue === undefined) return undefined;
  return { type, key, value: conditionValue };
}

function readPutEventsEntries(v: WireValidator, value: unknown): PutEventsEntryInput[] | undefined {
  const items = v.list(value, 'entries', {
    min: 1,
    max: 10,
    required: true,
    // AWS echoes every entry of a too-long list the way Java prints it [R: test_put_events_exceed_limit_ten_entries].
    shown: (list) =>
      formatJavaValue(
        list.map((entry) =>
          formatJavaStructure('PutEventsRequestEntry', PUT_EVENTS_ENTRY_MEMBERS, entry, (member, item) =>
            member === 'Time' ? formatJavaDate(item) : formatJavaValue(item),
          ),
        ),
      ),
  });
  if (items === undefined) return undefined;
  const entries: PutEventsEntryInput[] = [];
  items.forEach((item, index) => {
    const at = memberPath('entries', index);
    const entry = v.object(item, at, { required: true });
    if (entry === undefined) return;
    entries.push(
      defined({
        time: v.timestamp(entry.Time, `${at}.time`),
        source: v.string(entry.Source, `${at}.source`),
        resources: v.stringList(entry.Resources, `${at}.resources`, { member: EVENT_RESOURCE }),
        detailType: v.string(entry.DetailType, `${at}.detailType`),
        detail: v.string(entry.Detail, `${at}.detail`),
        busName: v.string(entry.EventBusName, `${at}.eventBusName`, NON_PARTNER_EVENT_BUS_NAME_OR_ARN),
        traceHeader: v.string(entry.TraceHeader, `${at}.traceHeader`, TRACE_HEADER),
      }),
    );
  });
  return entries;
}

/**
 * Targets in request order. Input, InputPath and InputTransformer are checked by @busway/patterns'
 * validateTargetInput, which renders AWS's texts: its shape violations are merged with this request's
 * own (one ValidationException lists them all, as AWS does), and its rules of the operation ("Only one
 * of Input, InputPath, or InputTransformer ...") are raised only once the request has no shape
 * violation, as AWS checks the model first.
 */
function readTargets(v: WireValidator, value: unknown): TargetInput[] | undefined {
  const items = v.list(value, 'targets', {
    min: 1,
    max: 100,
    required: true,
    shown: (list) =>
      formatJavaValue(list.map((target) => formatJavaStructure('Target', TARGET_MEMBERS, target))),
  });
  if (items === undefined) return undefined;
  const targets: TargetInput[] = [];
  let ruleError: string | undefined;
  items.forEach((item, index) => {
    const at = memberPath('targets', index);
    const target = v.object(item, at, { required: true });
    if (target === undefined) return;
    const id = v.string(target.Id, `${at}.id`, { ...TARGET_ID, required: true });
    const arn = v.string(target.Arn, `${at}.arn`, { ...ARN, required: true });
    const roleArn = v.string(target.RoleArn, `${at}.roleArn`, ARN);

    const inputSpec = readTargetInputSpec(target, at);
    try {
      validateTargetInput(typeof target.Id === 'string' ? target.Id : '', inputSpec, { memberPath: at });
    } catch (error) {
      if (!(error instanceof InvalidTargetInputError)) throw error;
      if (!v.addRendered(error.message)) ruleError ??= error.message;
    }

    const parameters: Array<[string, Record<string, unknown>]> = [];
    for (const [member, memberValue] of Object.entries(target)) {
      if (MAPPED_TARGET_MEMBERS.has(member) || memberValue === null || memberValue === undefined) continue;
      // Model members are PascalCase; anything else (`__proto__`, typos in lower case) is not a member,
      // and Coral ignores unknown members.
      if (!/^[A-Z][A-Za-z0-9]*$/.test(member)) continue;
      const memberAt = `${at}.${lowerCamel(member)}`;
      const parameter = v.object(memberValue, memberAt);
      if (parameter === undefined) continue;
      checkParameterDepth(v, parameter, memberAt);
      if (member === 'HttpParameters') checkHttpParameters(v, parameter, memberAt);
      if (member === 'SqsParameters')
        v.string(parameter.MessageGroupId, `${memberAt}.messageGroupId`, MESSAGE_GROUP_ID);
      parameters.push([member, parameter]);
    }

    const deadLetterConfig = readDeadLetterConfig(v, target.DeadLetterConfig, `${at}.deadLetterConfig`);
    const retryPolicy = readRetryPolicy(v, target.RetryPolicy, `${at}.retryPolicy`);
    if (id === undefined || arn === undefined) return;
    targets.push(
      defined({
        id,
        arn,
        roleArn,
        input: inputSpec.input,
        inputPath: inputSpec.inputPath,
        inputTransformer: inputSpec.inputTransformer,
        retryPolicy,
        deadLetterConfig,
        parameters: parameters.length > 0 ? Object.fromEntries(parameters) : undefined,
      }),
    );
  });
  // Shape violations first; a rule of the operation only once the shapes are right.
  v.throwIfInvalid();
  if (ruleError !== undefined) throw new ValidationError(ruleError);
  return targets;
}

/** The input members of a target, type-checked (their constraints are validateTargetInput's). */
function readTargetInputSpec(
  target: Record<string, unknown>,
  at: string,
): { input?: string; inputPath?: string; inputTransformer?: InputTransformer } {
  const input = optionalString(target.Input, `${at}.input`);
  const inputPath = optionalString(target.InputPath, `${at}.inputPath`);
  let inputTransformer: InputTransformer | undefined;
  const transformer = target.InputTransformer;
  if (transformer !== undefined && transformer !== null) {
    const transformerAt = `${at}.inputTransformer`;
    if (typeof transformer !== 'object' || Array.isArray(transformer)) {
      throw typeError(transformerAt, 'an object', transformer);
    }
    const { InputPathsMap: paths, InputTemplate: template } = transformer as Record<string, unknown>;
    let inputPathsMap: Record<string, string> | undefined;
    if (paths !== undefined && paths !== null) {
      if (typeof paths !== 'object' || Array.isArray(paths)) {
        throw typeError(`${transformerAt}.inputPathsMap`, 'an object', paths);
      }
      for (const [key, path] of Object.entries(paths)) {
        if (typeof path !== 'string')
          throw typeError(`${transformerAt}.inputPathsMap.${key}`, 'a string', path);
      }
      inputPathsMap = paths as Record<string, string>;
    }
    optionalString(template, `${transformerAt}.inputTemplate`);
    // A missing template is left for validateTargetInput, which reports it with AWS's "Member must not be
    // null" among the other violations.
    inputTransformer = {
      ...(inputPathsMap === undefined ? {} : { inputPathsMap }),
      inputTemplate: template as string,
    };
  }
  return defined({ input, inputPath, inputTransformer });
}

function optionalString(value: unknown, path: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw typeError(path, 'a string', value);
  return value;
}

function readRetryPolicy(
  v: WireValidator,
  value: unknown,
  path: string,
): { maximumRetryAttempts?: number; maximumEventAgeInSeconds?: number } | undefined {
  const policy = v.object(value, path);
  if (policy === undefined) return undefined;
  return defined({
    maximumRetryAttempts: v.integer(policy.MaximumRetryAttempts, `${path}.maximumRetryAttempts`, {
      min: 0,
      max: 185,
    }),
    maximumEventAgeInSeconds: v.integer(policy.MaximumEventAgeInSeconds, `${path}.maximumEventAgeInSeconds`, {
      min: 60,
      max: 86400,
    }),
  });
}

/** HttpParameters matter to Busway's own HTTP delivery, so their model constraints are enforced. */
function checkHttpParameters(v: WireValidator, parameters: Record<string, unknown>, path: string): void {
  v.stringList(parameters.PathParameterValues, `${path}.pathParameterValues`, { member: PATH_PARAMETER });
  v.stringMap(parameters.HeaderParameters, `${path}.headerParameters`, {
    key: HEADER_KEY,
    value: HEADER_VALUE,
  });
  v.stringMap(parameters.QueryStringParameters, `${path}.queryStringParameters`, {
    key: QUERY_STRING_KEY,
    value: QUERY_STRING_VALUE,
  });
}

function checkParameterDepth(v: WireValidator, parameter: Record<string, unknown>, path: string): void {
  // Iterative, so that the check itself cannot overflow the stack it protects.
  const stack: Array<{ value: unknown; depth: number }> = [{ value: parameter, depth: 1 }];
  while (stack.length > 0) {
    const next = stack.pop();
    if (next === undefined || next.value === null || typeof next.value !== 'object') continue;
    if (next.depth > MAX_PARAMETER_DEPTH) {
      v.add(
        `Value at '${path}' failed to satisfy constraint: Member must be nested at most ${MAX_PARAMETER_DEPTH} levels deep`,
      );
      return;
    }
    for (const child of Object.values(next.value)) stack.push({ value: child, depth: next.depth + 1 });
  }
}

// --- writers: domain -> wire --------------------------------------------------------------------------

export function epochSeconds(ms: number): number {
  return ms / 1000;
}

function deadLetterConfigOut(config: { arn?: string } | undefined): Record<string, unknown> | undefined {
  return config === undefined ? undefined : { Arn: config.arn };
}

function logConfigOut(
  config: { includeDetail?: string; level?: string } | undefined,
): Record<string, unknown> | undefined {
  return config === undefined ? undefined : { IncludeDetail: config.includeDetail, Level: config.level };
}

function tagOut(tag: TagRecord): Record<string, unknown> {
  return { Key: tag.key, Value: tag.value };
}

function failedTargetsOut(
  failed: ReadonlyArray<{ targetId: string; errorCode: string; errorMessage: string }>,
): Record<string, unknown> {
  return {
    FailedEntryCount: failed.length,
    FailedEntries: failed.map((entry) => ({
      TargetId: entry.targetId,
      ErrorCode: entry.errorCode,
      ErrorMessage: entry.errorMessage,
    })),
  };
}

function putEventsOut(results: readonly PutEventsResultEntry[]): Record<string, unknown> {
  let failed = 0;
  const entries = results.map((result) => {
    if ('eventId' in result) return { EventId: result.eventId };
    failed++;
    return { ErrorCode: result.errorCode, ErrorMessage: result.errorMessage };
  });
  return { FailedEntryCount: failed, Entries: entries };
}

/** A target as ListTargetsByRule returns it: the mapped members plus `parameters` exactly as given. */
function targetOut(target: TargetRecord): Record<string, unknown> {
  const transformer = target.inputTransformer;
  return {
    ...target.parameters,
    Id: target.id,
    Arn: target.arn,
    RoleArn: target.roleArn,
    Input: target.input,
    InputPath: target.inputPath,
    InputTransformer:
      transformer === undefined
        ? undefined
        : { InputPathsMap: transformer.inputPathsMap, InputTemplate: transformer.inputTemplate },
    RetryPolicy:
      target.retryPolicy === undefined
        ? undefined
        : {
            MaximumRetryAttempts: target.retryPolicy.maximumRetryAttempts,
            MaximumEventAgeInSeconds: target.retryPolicy.maximumEventAgeInSeconds,
          },
    DeadLetterConfig: deadLetterConfigOut(target.deadLetterConfig),
  };
}

// --- helpers ------------------------------------------------------------------------------------------

/** `java.util.Date#toString` in UTC (`Mon Jan 01 12:00:00 UTC 2024`), for echoed PutEvents entries. */
function formatJavaDate(value: unknown): string {
  const seconds = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  if (!Number.isFinite(seconds)) return formatJavaValue(value);
  const date = new Date(seconds * 1000);
  if (Number.isNaN(date.getTime())) return formatJavaValue(value);
  const [weekday, month, day, year, time] = date
    .toUTCString()
    .replace(',', '')
    .split(' ')
    .filter(Boolean) as [string, string, string, string, string];
  return `${weekday} ${month} ${day} ${time} UTC ${year}`;
}

export type Defined<T> = { [K in keyof T as undefined extends T[K] ? never : K]: T[K] } & {
  [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined>;
};

/**
 * Drops undefined members: with `exactOptionalPropertyTypes`, an optional domain member must be absent
 * rather than undefined.
 */
export function defined<T extends object>(value: T): Defined<T> {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as Defined<T>;
}

/** A required member after `throwIfInvalid()`: absent here would be a bug in this file. */
export function present<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('a required member was not validated before use');
  return value;
}
