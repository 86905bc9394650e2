/**
 * The bus domain's operations, in camelCase domain terms. The API layer (api/) validates the wire
 * shapes (lengths, patterns, enums, with AWS's messages), maps AWS's member names to these, and maps
 * the results back; this layer applies EventBridge's rules and talks to the store.
 *
 * `busName` arguments accept a bus name or a bus ARN, as EventBridge's EventBusNameOrArn does.
 */
import type { ReplayBatch } from './ingest.js';
import type { EventBusRecord, Page, RuleRecord, RuleState, TagRecord, TargetRecord } from '../store/store.js';

export interface PageInput {
  nextToken?: string;
  /** 1-100; defaults to 100. */
  limit?: number;
}

export interface CreateEventBusInput {
  name: string;
  eventSourceName?: string;
  description?: string;
  kmsKeyIdentifier?: string;
  deadLetterConfig?: { arn?: string };
  logConfig?: { includeDetail?: string; level?: string };
  tags?: TagRecord[];
}

export interface UpdateEventBusInput {
  name?: string;
  description?: string;
  kmsKeyIdentifier?: string;
  deadLetterConfig?: { arn?: string };
  logConfig?: { includeDetail?: string; level?: string };
}

export interface PutRuleInput {
  name: string;
  busName?: string;
  eventPattern?: string;
  scheduleExpression?: string;
  state?: RuleState;
  description?: string;
  roleArn?: string;
  tags?: TagRecord[];
}

export interface RuleRef {
  name: string;
  busName?: string;
}

/** A target as PutTargets receives it (no bus/rule keys yet). */
export type TargetInput = Omit<TargetRecord, 'busName' | 'ruleName'>;

export interface FailedTargetEntry {
  targetId: string;
  errorCode: string;
  errorMessage: string;
}

export interface PutEventsEntryInput {
  /** Epoch milliseconds. */
  time?: number;
  source?: string;
  resources?: string[];
  detailType?: string;
  detail?: string;
  busName?: string;
  traceHeader?: string;
}

export interface PutEventsOptions {
  /**
   * The entries are events Busway itself passes on (an event-bus target forwarding a scheduled event):
   * sources under `aws.` are allowed, as AWS's own services may use them.
   */
  forwarded?: boolean;
}

/** One PutEvents result, in request order. */
export type PutEventsResultEntry = { eventId: string } | { errorCode: string; errorMessage: string };

export interface PutPermissionInput {
  busName?: string;
  action?: string;
  principal?: string;
  statementId?: string;
  condition?: { type: string; key: string; value: string };
  policy?: string;
}

export interface RemovePermissionInput {
  statementId?: string;
  removeAllPermissions?: boolean;
  busName?: string;
}

export interface BusService {
  createEventBus(input: CreateEventBusInput): Promise<EventBusRecord>;
  deleteEventBus(name: string): Promise<void>;
  /** The `default` bus when no name is given. */
  describeEventBus(name?: string): Promise<EventBusRecord>;
  listEventBuses(input: PageInput & { namePrefix?: string }): Promise<Page<EventBusRecord>>;
  updateEventBus(input: UpdateEventBusInput): Promise<EventBusRecord>;

  putRule(input: PutRuleInput): Promise<RuleRecord>;
  deleteRule(input: RuleRef & { force?: boolean }): Promise<void>;
  describeRule(input: RuleRef): Promise<RuleRecord>;
  enableRule(input: RuleRef): Promise<void>;
  disableRule(input: RuleRef): Promise<void>;
  listRules(input: PageInput & { busName?: string; namePrefix?: string }): Promise<Page<RuleRecord>>;
  listRuleNamesByTarget(input: PageInput & { targetArn: string; busName?: string }): Promise<Page<string>>;

  putTargets(input: { rule: string; busName?: string; targets: TargetInput[] }): Promise<FailedTargetEntry[]>;
  removeTargets(input: {
    rule: string;
    busName?: string;
    ids: string[];
    force?: boolean;
  }): Promise<FailedTargetEntry[]>;
  listTargetsByRule(input: PageInput & { rule: string; busName?: string }): Promise<Page<TargetRecord>>;

  /** Validates, stores (durably) and routes the entries; one result per entry, in order. */
  putEvents(entries: PutEventsEntryInput[], options?: PutEventsOptions): Promise<PutEventsResultEntry[]>;
  /**
   * Internal entry for replays (delivery/replayer.ts): archived envelopes with a new id and `replay-name`,
   * routed to the allowed rules only, never archived; returns how many were stored.
   */
  replayEvents(batch: ReplayBatch): Promise<number>;
  /** Throws InvalidEventPatternError or ValidationError(`Parameter Event is not valid.`). */
  testEventPattern(eventPattern: string, event: string): boolean;

  tagResource(resourceArn: string, tags: TagRecord[]): Promise<void>;
  untagResource(resourceArn: string, keys: string[]): Promise<void>;
  listTagsForResource(resourceArn: string): Promise<TagRecord[]>;

  putPermission(input: PutPermissionInput): Promise<void>;
  removePermission(input: RemovePermissionInput): Promise<void>;
}
