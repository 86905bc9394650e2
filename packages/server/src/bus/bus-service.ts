/**
 * EventBridge's buses, rules, targets, tags and permissions: the rules of each operation, written
 * against the store; no HTTP here. Messages are AWS's texts (../shared/conformance/aws-errors.json).
 */
import {
  InvalidEventError,
  InvalidPatternError,
  parsePattern,
  testEventPattern as matchTestEvent,
} from '@busway/patterns';
import {
  ConflictError,
  InvalidEventPatternError,
  LimitExceededError,
  ManagedRuleError,
  NotFoundError,
  PolicyLengthExceededError,
  ValidationError,
} from '../errors.js';
import type { EventBusRecord, PageRequest, RuleRecord, Store } from '../store/store.js';
import { DEFAULT_BUS, busArn, busNameOf, parseResourceArn, ruleArn, type ArnContext } from './arns.js';
import { createIngest, createReplayIngest, type IngestObserver } from './ingest.js';
import { RoutingTable } from './routing.js';
import { isValidScheduleExpression } from './schedule.js';
import type { BusService, PageInput, PutPermissionInput, RemovePermissionInput, RuleRef } from './types.js';

export interface BusServiceOptions extends ArnContext {
  readonly maxRulesPerBus: number;
  readonly maxEventPatternLength: number;
  readonly maxEventsRequestBytes: number;
  readonly strictEventBus: boolean;
}

/** EventBridge's limits that are not configurable. */
export const MAX_TARGETS_PER_RULE = 5;
export const MAX_POLICY_LENGTH = 10_240;
const DEFAULT_PAGE_SIZE = 100;

function page(input: PageInput): PageRequest {
  const limit = input.limit ?? DEFAULT_PAGE_SIZE;
  return input.nextToken === undefined ? { limit } : { nextToken: input.nextToken, limit };
}

function busNotFound(name: string): NotFoundError {
  return new NotFoundError(`Event bus ${name} does not exist.`);
}

function ruleNotFound(rule: string, bus: string): NotFoundError {
  return new NotFoundError(`Rule ${rule} does not exist on EventBus ${bus}.`);
}

/** Ensures the `default` bus exists (it always does in EventBridge) and loads the routing table. */
export async function createBusService(
  store: Store,
  options: BusServiceOptions,
  observer: IngestObserver = {},
  now: () => number = Date.now,
): Promise<BusService & { readonly routing: RoutingTable }> {
  const t = now();
  await store.createBus({ name: DEFAULT_BUS, arn: busArn(options, DEFAULT_BUS), createdAt: t, updatedAt: t });
  const routing = await RoutingTable.load(store);
  const putEvents = createIngest(
    store,
    routing,
    {
      region: options.region,
      accountId: options.accountId,
      maxRequestBytes: options.maxEventsRequestBytes,
      strictEventBus: options.strictEventBus,
    },
    observer,
    now,
  );
  const replayEvents = createReplayIngest(store, routing, observer, now);

  async function requireBus(name: string): Promise<EventBusRecord> {
    const bus = await store.getBus(name);
    if (bus === undefined) throw busNotFound(name);
    return bus;
  }

  async function requireRule(ref: RuleRef): Promise<RuleRecord> {
    const busName = busNameOf(ref.busName);
    const rule = await store.getRule(busName, ref.name);
    if (rule === undefined) {
      if (busName !== DEFAULT_BUS) await requireBus(busName);
      throw ruleNotFound(ref.name, busName);
    }
    return rule;
  }

  async function setRuleState(ref: RuleRef, state: 'ENABLED' | 'DISABLED'): Promise<void> {
    const rule = await requireRule(ref);
    if (rule.state === state) return;
    const updated: RuleRecord = { ...rule, state, updatedAt: now() };
    await store.putRule(updated);
    routing.setRule(updated);
  }

  /** Checks that a tagged resource exists; returns its ARN. */
  async function requireTaggable(arn: string): Promise<void> {
    const parsed = parseResourceArn(arn);
    if (parsed.kind === 'event-bus') await requireBus(parsed.busName);
    else if (parsed.kind === 'rule') {
      const rule = await store.getRule(parsed.busName, parsed.ruleName);
      if (rule === undefined) throw ruleNotFound(parsed.ruleName, parsed.busName);
    } else throw new NotFoundError(`Resource ${arn} does not exist.`);
  }

  function checkPattern(pattern: string): void {
    try {
      parsePattern(pattern, { maxLength: options.maxEventPatternLength });
    } catch (error) {
      if (error instanceof InvalidPatternError)
        throw new InvalidEventPatternError(error.message, { cause: error });
      throw error;
    }
  }

  return {
    routing,

    async createEventBus(input) {
      if (input.eventSourceName === undefined && input.name.includes('/')) {
        throw new ValidationError(
          `Event bus name ${input.name} is not valid: only partner event buses may contain '/'.`,
        );
      }
      const at = now();
      const bus: EventBusRecord = {
        name: input.name,
        arn: busArn(options, input.name),
        createdAt: at,
        updatedAt: at,
        ...(input.description !== undefined && { description: input.description }),
        ...(input.kmsKeyIdentifier !== undefined && { kmsKeyIdentifier: input.kmsKeyIdentifier }),
        ...(input.deadLetterConfig !== undefined && { deadLetterConfig: input.deadLetterConfig }),
        ...(input.logConfig !== undefined && { logConfig: input.logConfig }),
      };
      if ((await store.createBus(bus, input.tags ?? [])) === 'exists') {
        throw new ConflictError(`Event bus ${input.name} already exists.`);
      }
      routing.addBus(bus.name);
      return bus;
    },

    async deleteEventBus(name) {
      if (name === DEFAULT_BUS) throw new ValidationError('Cannot delete event bus default.');
      if ((await store.deleteBus(name)) === 'not-found') throw busNotFound(name);
      routing.deleteBus(name);
    },

    async describeEventBus(name) {
      return requireBus(busNameOf(name));
    },

    async listEventBuses(input) {
      return store.listBuses(input.namePrefix, page(input));
    },

    async updateEventBus(input) {
      const bus = await requireBus(busNameOf(input.name));
      const updated: EventBusRecord = {
        ...bus,
        updatedAt: now(),
        ...(input.description !== undefined && { description: input.description }),
        ...(input.kmsKeyIdentifier !== undefined && { kmsKeyIdentifier: input.kmsKeyIdentifier }),
        ...(input.deadLetterConfig !== undefined && { deadLetterConfig: input.deadLetterConfig }),
        ...(input.logConfig !== undefined && { logConfig: input.logConfig }),
      };
      if ((await store.updateBus(updated)) === 'not-found') throw busNotFound(bus.name);
      return updated;
    },

    async putRule(input) {
      const busName = busNameOf(input.busName);
      await requireBus(busName);
      if (input.eventPattern === undefined && input.scheduleExpression === undefined) {
        throw new ValidationError('Parameter(s) EventPattern or ScheduleExpression must be specified.');
      }
      if (input.scheduleExpression !== undefined) {
        if (busName !== DEFAULT_BUS) {
          throw new ValidationError('ScheduleExpression is supported only on the default event bus.');
        }
        if (!isValidScheduleExpression(input.scheduleExpression)) {
          throw new ValidationError('Parameter ScheduleExpression is not valid.');
        }
      }
      if (input.eventPattern !== undefined) checkPattern(input.eventPattern);
      const existing = await store.getRule(busName, input.name);
      if (existing === undefined && (await store.countRules(busName)) >= options.maxRulesPerBus) {
        throw new LimitExceededError();
      }
      if (existing?.managedBy !== undefined) {
        throw new ManagedRuleError(
          `Rule ${input.name} is managed by ${existing.managedBy} and cannot be changed.`,
        );
      }
      const at = now();
      // PutRule replaces the rule: members left out become empty, as in EventBridge.
      const rule: RuleRecord = {
        busName,
        name: input.name,
        arn: ruleArn(options, busName, input.name),
        state: input.state ?? 'ENABLED',
        createdBy: options.accountId,
        createdAt: existing?.createdAt ?? at,
        updatedAt: at,
        ...(input.eventPattern !== undefined && { eventPattern: input.eventPattern }),
        ...(input.scheduleExpression !== undefined && { scheduleExpression: input.scheduleExpression }),
        ...(input.description !== undefined && { description: input.description }),
        ...(input.roleArn !== undefined && { roleArn: input.roleArn }),
      };
      await store.putRule(rule, input.tags ?? []);
      routing.setRule(rule);
      return rule;
    },

    async deleteRule(input) {
      const busName = busNameOf(input.busName);
      const rule = await store.getRule(busName, input.name);
      if (rule === undefined) {
        if (busName !== DEFAULT_BUS) await requireBus(busName);
        return; // deleting a rule that is not there succeeds, as in EventBridge
      }
      if (rule.managedBy !== undefined && input.force !== true) {
        throw new ManagedRuleError(
          `Rule ${rule.name} is managed by ${rule.managedBy}; use Force to delete it.`,
        );
      }
      if ((await store.getTargets(busName, rule.name)).length > 0) {
        throw new ValidationError("Rule can't be deleted since it has targets.");
      }
      await store.deleteRule(busName, rule.name);
      routing.deleteRule(busName, rule.name);
    },

    describeRule: requireRule,
    enableRule: (ref) => setRuleState(ref, 'ENABLED'),
    disableRule: (ref) => setRuleState(ref, 'DISABLED'),

    async listRules(input) {
      const busName = busNameOf(input.busName);
      await requireBus(busName);
      return store.listRules(busName, input.namePrefix, page(input));
    },

    async listRuleNamesByTarget(input) {
      const busName = busNameOf(input.busName);
      await requireBus(busName);
      return store.listRuleNamesByTarget(busName, input.targetArn, page(input));
    },

    async putTargets(input) {
      const rule = await requireRule({
        name: input.rule,
        ...(input.busName !== undefined && { busName: input.busName }),
      });
      const existing = await store.getTargets(rule.busName, rule.name);
      const ids = new Set([...existing.map((t) => t.id), ...input.targets.map((t) => t.id)]);
      if (ids.size > MAX_TARGETS_PER_RULE) throw new LimitExceededError();
      const records = input.targets.map((t) => ({ ...t, busName: rule.busName, ruleName: rule.name }));
      await store.putTargets(rule.busName, rule.name, records);
      routing.setTargets(rule.busName, rule.name, await store.getTargets(rule.busName, rule.name));
      return [];
    },

    async removeTargets(input) {
      const rule = await requireRule({
        name: input.rule,
        ...(input.busName !== undefined && { busName: input.busName }),
      });
      if (rule.managedBy !== undefined && input.force !== true) {
        throw new ManagedRuleError(
          `Rule ${rule.name} is managed by ${rule.managedBy}; use Force to change it.`,
        );
      }
      // Removing an id that is not there is not an error (EventBridge answers FailedEntryCount 0).
      await store.removeTargets(rule.busName, rule.name, input.ids);
      routing.setTargets(rule.busName, rule.name, await store.getTargets(rule.busName, rule.name));
      return [];
    },

    async listTargetsByRule(input) {
      const rule = await requireRule({
        name: input.rule,
        ...(input.busName !== undefined && { busName: input.busName }),
      });
      return store.listTargets(rule.busName, rule.name, page(input));
    },

    putEvents,
    replayEvents,

    testEventPattern(eventPattern, event) {
      try {
        return matchTestEvent(eventPattern, event, { maxLength: 4096 });
      } catch (error) {
        if (error instanceof InvalidPatternError)
          throw new InvalidEventPatternError(error.message, { cause: error });
        if (error instanceof InvalidEventError)
          throw new ValidationError('Parameter Event is not valid.', { cause: error });
        throw error;
      }
    },

    async tagResource(arn, tags) {
      await requireTaggable(arn);
      await store.tagResource(arn, tags);
    },

    async untagResource(arn, keys) {
      await requireTaggable(arn);
      await store.untagResource(arn, keys);
    },

    async listTagsForResource(arn) {
      await requireTaggable(arn);
      return store.getTags(arn);
    },

    async putPermission(input) {
      const bus = await requireBus(busNameOf(input.busName));
      const policy =
        input.policy !== undefined ? replacePolicy(input.policy) : addStatement(bus, input, options);
      await store.updateBus({ ...bus, policy, updatedAt: now() });
    },

    async removePermission(input) {
      const bus = await requireBus(busNameOf(input.busName));
      const next = removeStatement(bus, input);
      const updated: EventBusRecord = { ...bus, updatedAt: now() };
      if (next === undefined) delete updated.policy;
      else updated.policy = next;
      await store.updateBus(updated);
    },
  };
}

interface PolicyDocument {
  Version: string;
  Statement: Array<Record<string, unknown> & { Sid?: string }>;
}

function readPolicy(bus: EventBusRecord): PolicyDocument {
  if (bus.policy === undefined) return { Version: '2012-10-17', Statement: [] };
  const parsed = JSON.parse(bus.policy) as Partial<PolicyDocument>;
  return {
    Version: parsed.Version ?? '2012-10-17',
    Statement: Array.isArray(parsed.Statement) ? parsed.Statement : [],
  };
}

function checkPolicyLength(text: string): string {
  if (text.length > MAX_POLICY_LENGTH) {
    throw new PolicyLengthExceededError(
      `Policy length ${text.length} exceeds the maximum of ${MAX_POLICY_LENGTH} characters.`,
    );
  }
  return text;
}

function replacePolicy(text: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ValidationError('Parameter Policy is not valid. Reason: Policy is not valid JSON.');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ValidationError('Parameter Policy is not valid. Reason: Policy must be a JSON object.');
  }
  return checkPolicyLength(JSON.stringify(parsed));
}

function addStatement(bus: EventBusRecord, input: PutPermissionInput, ctx: ArnContext): string {
  if (input.statementId === undefined) throw new ValidationError('Parameter StatementId is required.');
  if (input.principal === undefined) throw new ValidationError('Parameter Principal is required.');
  const statement: Record<string, unknown> & { Sid: string } = {
    Sid: input.statementId,
    Effect: 'Allow',
    Principal: input.principal === '*' ? '*' : { AWS: `arn:aws:iam::${input.principal}:root` },
    Action: input.action ?? 'events:PutEvents',
    Resource: busArn(ctx, bus.name),
  };
  if (input.condition !== undefined) {
    statement['Condition'] = { [input.condition.type]: { [input.condition.key]: input.condition.value } };
  }
  const policy = readPolicy(bus);
  policy.Statement = [...policy.Statement.filter((s) => s.Sid !== input.statementId), statement];
  return checkPolicyLength(JSON.stringify(policy));
}

function removeStatement(bus: EventBusRecord, input: RemovePermissionInput): string | undefined {
  if (input.removeAllPermissions === true) return undefined;
  if (input.statementId === undefined) throw new ValidationError('Parameter StatementId is required.');
  const policy = readPolicy(bus);
  const kept = policy.Statement.filter((s) => s.Sid !== input.statementId);
  if (kept.length === policy.Statement.length) {
    throw new NotFoundError('Statement with the provided id does not exist.');
  }
  return kept.length === 0 ? undefined : JSON.stringify({ ...policy, Statement: kept });
}
