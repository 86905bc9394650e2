/**
 * Command consumption for CRUD backends, the reverse of data-change publishing: events with detail-type
 * `{schema}.{OP}` (OP one of POST, PUT, PATCH, DELETE) and detail `{ tenant, rootSchema, api_key,
 * payload }` are checked and handed to the application's CRUD callbacks:
 *
 *   403  the tenant is unknown or not enabled for input
 *   401  the API key is missing, not one of the tenant's (foreign), or lacks the operation or schema
 *   400  the detail-type is not `{schema}.{OP}`, the detail is malformed, or PUT/PATCH/DELETE without
 *        `payload.id` (or the configured id field), or no callback for the operation
 *
 * Refusals throw CommandRejectedError with that status, which an EventRouter answers as such. Each
 * tenant has a usage counter of accepted and rejected commands by operation.
 */
import { CommandRejectedError, describeValue, InvalidArgumentError } from './errors.js';
import { CRUD_OPERATIONS, type CrudOperation } from './data-changes.js';
import type { EventRouter } from './receive.js';
import type { BusEvent } from './wait-for-event.js';

export interface CommandApiKey {
  key: string;
  /** Operations the key may run (default all). */
  operations?: readonly CrudOperation[];
  /** Schemas the key may write; empty or absent means all. */
  schemas?: readonly string[];
}

export interface CommandTenant {
  /** Whether the tenant accepts commands at all. */
  inputEnabled: boolean;
  apiKeys: readonly CommandApiKey[];
}

export interface Command {
  tenant: string;
  schema: string;
  rootSchema: string;
  operation: CrudOperation;
  /** `payload[idField]` for PUT, PATCH and DELETE. */
  id?: string;
  payload: unknown;
  /** The event the command came in. */
  event: BusEvent;
}

export type CommandCallback = (command: Command) => unknown;

export interface CommandConsumerOptions {
  tenants: Record<string, CommandTenant>;
  /** The CRUD callbacks by operation. */
  handlers: Partial<Record<CrudOperation, CommandCallback>>;
  /** The payload member holding the record id (default `id`). */
  idField?: string;
}

export interface CommandUsage {
  /** Commands that passed the checks and were handed to a callback. */
  accepted: number;
  /** Commands refused (400/401) for a known, enabled tenant. */
  rejected: number;
  /** Accepted commands whose callback threw. */
  failed: number;
  byOperation: Record<CrudOperation, number>;
}

export interface CommandConsumer {
  /** Checks a command event and runs its callback; throws CommandRejectedError when it is refused. */
  consume(event: BusEvent): Promise<unknown>;
  /** Routes every `{schema}.{OP}` event of the router to consume(). */
  register(router: EventRouter): void;
  /** The tenant's counter (zeros when it has had no command). */
  usage(tenant: string): CommandUsage;
}

const DETAIL_TYPE = /^(.+)\.(POST|PUT|PATCH|DELETE)$/;

export function createCommandConsumer(options: CommandConsumerOptions): CommandConsumer {
  if (
    options === null ||
    typeof options !== 'object' ||
    options.tenants === null ||
    typeof options.tenants !== 'object'
  ) {
    throw new InvalidArgumentError(
      'createCommandConsumer needs { tenants: { TENANT: { inputEnabled, apiKeys } }, handlers }.',
    );
  }
  for (const [tenant, config] of Object.entries(options.tenants)) {
    if (
      config === null ||
      typeof config !== 'object' ||
      typeof config.inputEnabled !== 'boolean' ||
      !Array.isArray(config.apiKeys)
    ) {
      throw new InvalidArgumentError(
        `tenants['${tenant}'] must be { inputEnabled: boolean, apiKeys: [{ key, operations?, schemas? }] }.`,
      );
    }
    config.apiKeys.forEach((apiKey, index) => {
      if (
        apiKey === null ||
        typeof apiKey !== 'object' ||
        typeof apiKey.key !== 'string' ||
        apiKey.key === ''
      ) {
        throw new InvalidArgumentError(
          `tenants['${tenant}'].apiKeys[${index}].key must be a non-empty string.`,
        );
      }
      if (
        apiKey.operations !== undefined &&
        (!Array.isArray(apiKey.operations) ||
          (apiKey.operations as readonly CrudOperation[]).some((op) => !CRUD_OPERATIONS.includes(op)))
      ) {
        throw new InvalidArgumentError(
          `tenants['${tenant}'].apiKeys[${index}].operations must list some of ${CRUD_OPERATIONS.join(', ')}.`,
        );
      }
    });
  }
  if (options.handlers === null || typeof options.handlers !== 'object') {
    throw new InvalidArgumentError(
      'handlers must be an object of CRUD callbacks by operation: { POST, PUT, PATCH, DELETE }.',
    );
  }
  for (const [operation, callback] of Object.entries(options.handlers)) {
    if (!CRUD_OPERATIONS.includes(operation as CrudOperation) || typeof callback !== 'function') {
      throw new InvalidArgumentError(
        `handlers.${operation} must be a function, and the keys one of ${CRUD_OPERATIONS.join(', ')}.`,
      );
    }
  }
  const idField = options.idField ?? 'id';
  const counters = new Map<string, CommandUsage>();
  const counterOf = (tenant: string): CommandUsage => {
    let counter = counters.get(tenant);
    if (counter === undefined) {
      counter = {
        accepted: 0,
        rejected: 0,
        failed: 0,
        byOperation: { POST: 0, PUT: 0, PATCH: 0, DELETE: 0 },
      };
      counters.set(tenant, counter);
    }
    return counter;
  };

  const check = (event: BusEvent): Command => {
    const match = DETAIL_TYPE.exec(String(event?.['detail-type'] ?? ''));
    if (match === null || match[1] === undefined || match[2] === undefined) {
      throw new CommandRejectedError(
        400,
        `The detail-type must be {schema}.{OP} with OP one of ${CRUD_OPERATIONS.join(', ')}, got ${describeValue(event?.['detail-type'])}.`,
      );
    }
    const schema = match[1];
    const operation = match[2] as CrudOperation;
    const detail = event.detail as Record<string, unknown> | null;
    if (
      detail === null ||
      typeof detail !== 'object' ||
      typeof detail['tenant'] !== 'string' ||
      detail['tenant'] === ''
    ) {
      throw new CommandRejectedError(
        400,
        'The detail must be { tenant, rootSchema, api_key, payload } with tenant a non-empty string.',
      );
    }
    const tenant = detail['tenant'];
    const config = Object.hasOwn(options.tenants, tenant) ? options.tenants[tenant] : undefined;
    if (config === undefined || !config.inputEnabled) {
      throw new CommandRejectedError(
        403,
        `Tenant '${tenant}' is not enabled for input: enable it (inputEnabled: true) to accept its commands.`,
      );
    }
    const rejectedFor = (status: 400 | 401, message: string): CommandRejectedError => {
      counterOf(tenant).rejected += 1;
      return new CommandRejectedError(status, message);
    };
    const apiKey = detail['api_key'];
    if (typeof apiKey !== 'string' || apiKey === '') {
      throw rejectedFor(401, 'The command has no api_key in its detail; send one of the tenant’s API keys.');
    }
    const key = config.apiKeys.find((candidate) => candidate.key === apiKey);
    if (key === undefined) {
      throw rejectedFor(401, `The api_key is not one of tenant '${tenant}'s keys.`);
    }
    if (key.operations !== undefined && !key.operations.includes(operation)) {
      throw rejectedFor(
        401,
        `The api_key may not run ${operation} (it allows ${key.operations.join(', ') || 'nothing'}).`,
      );
    }
    if (key.schemas !== undefined && key.schemas.length > 0 && !key.schemas.includes(schema)) {
      throw rejectedFor(
        401,
        `The api_key may not write schema '${schema}' (it allows ${key.schemas.join(', ')}).`,
      );
    }
    const payload = detail['payload'];
    let id: string | undefined;
    if (operation !== 'POST') {
      const raw =
        payload !== null && typeof payload === 'object'
          ? (payload as Record<string, unknown>)[idField]
          : undefined;
      if ((typeof raw !== 'string' || raw === '') && typeof raw !== 'number') {
        throw rejectedFor(400, `${operation} needs the record's id at payload.${idField}.`);
      }
      id = String(raw);
    }
    const rootSchema =
      typeof detail['rootSchema'] === 'string' && detail['rootSchema'] !== '' ? detail['rootSchema'] : schema;
    return { tenant, schema, rootSchema, operation, ...(id !== undefined && { id }), payload, event };
  };

  const consumer: CommandConsumer = {
    async consume(event) {
      const command = check(event);
      const callback = options.handlers[command.operation];
      if (callback === undefined) {
        counterOf(command.tenant).rejected += 1;
        throw new CommandRejectedError(
          400,
          `This service takes no ${command.operation} commands (no handlers.${command.operation}).`,
        );
      }
      // Counted when handed over: a callback that then throws is counted once more, as failed.
      const counter = counterOf(command.tenant);
      counter.accepted += 1;
      counter.byOperation[command.operation] += 1;
      try {
        return await callback(command);
      } catch (error) {
        counter.failed += 1;
        throw error;
      }
    },
    register(router) {
      router.onPattern({ 'detail-type': CRUD_OPERATIONS.map((op) => ({ suffix: `.${op}` })) }, (event) =>
        consumer.consume(event),
      );
    },
    usage(tenant) {
      const counter = counterOf(tenant);
      return { ...counter, byOperation: { ...counter.byOperation } };
    },
  };
  return consumer;
}
