/**
 * Data-change publishing for CRUD backends: per-tenant publishing rules turn one write (POST, PUT,
 * PATCH, DELETE on a schema) into one event on every bus whose rule matches, with the detail
 * `{ tenant, rootSchema, operation, payload }`.
 *
 * A rule matches when its `operations` include the write's operation (all four when absent) and its
 * `schemas` include the write's schema (every schema when absent or empty). Rules are taken in order
 * and the first matching rule of a bus decides that bus's event (source, detail-type), so an earlier,
 * narrower rule can override a later catch-all one for the same bus. A tenant with no rules publishes
 * nothing.
 */
import { describeValue, InvalidArgumentError } from './errors.js';
import type { EventEntry, PublishResult } from './publish.js';

export const CRUD_OPERATIONS = ['POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type CrudOperation = (typeof CRUD_OPERATIONS)[number];

export interface DataChangeRule {
  /** Bus name or ARN. */
  eventBus: string;
  /** Event source (default: the publisher's `defaultSource`). */
  source?: string;
  /** Detail-type template with `{schema}`, `{operation}`, `{tenant}`, `{rootSchema}` (default `{schema}.{operation}`). */
  detailType?: string;
  /** Operations published (default all four). */
  operations?: readonly CrudOperation[];
  /** Schemas published; empty or absent means all. */
  schemas?: readonly string[];
}

export interface DataChangePublisherOptions {
  /** Rules by tenant, earlier first. */
  tenants: Record<string, readonly DataChangeRule[]>;
  /** Source of rules that name none (default `busway.data`). */
  defaultSource?: string;
}

export interface DataChange {
  tenant: string;
  /** The schema written (the entity type). */
  schema: string;
  /** The top-level schema of the document written (default: `schema`). */
  rootSchema?: string;
  operation: CrudOperation | Lowercase<CrudOperation>;
  payload: unknown;
}

export interface DataChangeDetail {
  tenant: string;
  rootSchema: string;
  operation: CrudOperation;
  payload: unknown;
}

export interface PublishedChange {
  /** The entries sent, one per matching bus, in rule order. */
  events: EventEntry[];
  result: PublishResult;
}

export interface DataChangePublisher {
  /** The events a change becomes (no publishing). */
  eventsFor(change: DataChange): EventEntry[];
  publishChange(change: DataChange): Promise<PublishedChange>;
}

const PLACEHOLDERS = new Set(['schema', 'operation', 'tenant', 'rootSchema']);

export function createDataChangePublisher(
  client: { publish(entries: readonly EventEntry[]): Promise<PublishResult> },
  options: DataChangePublisherOptions,
): DataChangePublisher {
  if (client === null || typeof client !== 'object' || typeof client.publish !== 'function') {
    throw new InvalidArgumentError(
      'createDataChangePublisher needs a client from createBuswayClient as its first argument.',
    );
  }
  if (
    options === null ||
    typeof options !== 'object' ||
    options.tenants === null ||
    typeof options.tenants !== 'object'
  ) {
    throw new InvalidArgumentError('createDataChangePublisher needs { tenants: { TENANT: [rules] } }.');
  }
  const defaultSource = options.defaultSource ?? 'busway.data';
  if (typeof defaultSource !== 'string' || defaultSource === '') {
    throw new InvalidArgumentError(
      `defaultSource must be a non-empty string, got ${describeValue(defaultSource)}.`,
    );
  }
  const tenants = new Map<string, DataChangeRule[]>();
  for (const [tenant, rules] of Object.entries(options.tenants)) {
    if (!Array.isArray(rules))
      throw new InvalidArgumentError(`tenants['${tenant}'] must be a list of publishing rules.`);
    tenants.set(
      tenant,
      rules.map((rule, index) => checkRule(rule, `tenants['${tenant}'][${index}]`)),
    );
  }

  const eventsFor = (change: DataChange): EventEntry[] => {
    const { tenant, schema, rootSchema, operation } = checkChange(change);
    const seen = new Set<string>();
    const events: EventEntry[] = [];
    for (const rule of tenants.get(tenant) ?? []) {
      if (seen.has(rule.eventBus)) continue;
      if (rule.operations !== undefined && !rule.operations.includes(operation)) continue;
      if (rule.schemas !== undefined && rule.schemas.length > 0 && !rule.schemas.includes(schema)) continue;
      seen.add(rule.eventBus);
      const values: Record<string, string> = { schema, operation, tenant, rootSchema };
      const detail: DataChangeDetail = { tenant, rootSchema, operation, payload: change.payload };
      events.push({
        eventBusName: rule.eventBus,
        source: rule.source ?? defaultSource,
        detailType: (rule.detailType ?? '{schema}.{operation}').replace(
          /\{(\w+)\}/g,
          (_, key: string) => values[key] ?? '',
        ),
        detail: detail as unknown as Record<string, unknown>,
      });
    }
    return events;
  };

  return {
    eventsFor,
    async publishChange(change) {
      const events = eventsFor(change);
      if (events.length === 0) {
        return { events, result: { requestId: undefined, requestIds: [], FailedEntryCount: 0, entries: [] } };
      }
      return { events, result: await client.publish(events) };
    },
  };
}

function checkRule(rule: DataChangeRule, at: string): DataChangeRule {
  if (rule === null || typeof rule !== 'object')
    throw new InvalidArgumentError(`${at} must be a rule object with an eventBus.`);
  if (typeof rule.eventBus !== 'string' || rule.eventBus === '') {
    throw new InvalidArgumentError(
      `${at}.eventBus must be a bus name or ARN, got ${describeValue(rule.eventBus)}.`,
    );
  }
  if (rule.source !== undefined && (typeof rule.source !== 'string' || rule.source === '')) {
    throw new InvalidArgumentError(`${at}.source must be a non-empty string when given.`);
  }
  if (rule.detailType !== undefined) {
    if (typeof rule.detailType !== 'string' || rule.detailType === '') {
      throw new InvalidArgumentError(`${at}.detailType must be a template such as '{schema}.{operation}'.`);
    }
    for (const [, key] of rule.detailType.matchAll(/\{(\w*)\}/g)) {
      if (key === undefined || !PLACEHOLDERS.has(key)) {
        throw new InvalidArgumentError(
          `${at}.detailType uses {${key ?? ''}}; the placeholders are {schema}, {operation}, {tenant} and {rootSchema}.`,
        );
      }
    }
  }
  if (rule.operations !== undefined) {
    if (!Array.isArray(rule.operations) || rule.operations.some((op) => !CRUD_OPERATIONS.includes(op))) {
      throw new InvalidArgumentError(
        `${at}.operations must list some of ${CRUD_OPERATIONS.join(', ')} (upper case).`,
      );
    }
  }
  if (
    rule.schemas !== undefined &&
    (!Array.isArray(rule.schemas) || rule.schemas.some((s) => typeof s !== 'string'))
  ) {
    throw new InvalidArgumentError(`${at}.schemas must be a list of schema names (empty for all).`);
  }
  return rule;
}

function checkChange(change: DataChange): {
  tenant: string;
  schema: string;
  rootSchema: string;
  operation: CrudOperation;
} {
  if (change === null || typeof change !== 'object') {
    throw new InvalidArgumentError('publishChange needs { tenant, schema, operation, payload }.');
  }
  for (const key of ['tenant', 'schema'] as const) {
    if (typeof change[key] !== 'string' || change[key] === '') {
      throw new InvalidArgumentError(
        `change.${key} must be a non-empty string, got ${describeValue(change[key])}.`,
      );
    }
  }
  const operation = typeof change.operation === 'string' ? change.operation.toUpperCase() : change.operation;
  if (!CRUD_OPERATIONS.includes(operation as CrudOperation)) {
    throw new InvalidArgumentError(
      `change.operation must be one of ${CRUD_OPERATIONS.join(', ')}, got ${describeValue(change.operation)}.`,
    );
  }
  const rootSchema = change.rootSchema ?? change.schema;
  if (typeof rootSchema !== 'string' || rootSchema === '') {
    throw new InvalidArgumentError(`change.rootSchema must be a non-empty string when given.`);
  }
  return { tenant: change.tenant, schema: change.schema, rootSchema, operation: operation as CrudOperation };
}
