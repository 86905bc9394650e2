/**
 * A CRUD backend on the bus: every write publishes a data-change event on the buses its tenant's rules
 * name (here: all changes to `crm`, deletes also to `audit`), and command events (`customer.POST`, ...)
 * sent to the service through its API destination are checked (tenant, API key, id) and applied.
 *
 *   node --conditions=source --import tsx examples/crud-service.ts
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import {
  createBuswayClient,
  createCommandConsumer,
  createDataChangePublisher,
  createEventRouter,
  type CrudOperation,
  type PublishedChange,
} from '@busway/sdk';

type Row = Record<string, unknown> & { id: string };

export interface CrudService {
  readonly url: string;
  /** tenant -> schema -> id -> row */
  readonly rows: Map<string, Map<string, Map<string, Row>>>;
  write(
    tenant: string,
    schema: string,
    operation: CrudOperation,
    row: Partial<Row>,
  ): Promise<PublishedChange>;
  /** Resolves once `count` commands have been applied. */
  commandsApplied(count: number): Promise<void>;
  usage(tenant: string): ReturnType<ReturnType<typeof createCommandConsumer>['usage']>;
  close(): Promise<void>;
}

export async function startCrudService(options: {
  endpoint: string;
  /** The API key the bus sends to this service (its connection). */
  serviceKey: string;
  /** Tenants' command API keys. */
  commandKeys: Record<string, string>;
}): Promise<CrudService> {
  const busway = createBuswayClient({
    endpoint: options.endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const rows = new Map<string, Map<string, Map<string, Row>>>();
  const table = (tenant: string, schema: string): Map<string, Row> => {
    let schemas = rows.get(tenant);
    if (schemas === undefined) rows.set(tenant, (schemas = new Map()));
    let found = schemas.get(schema);
    if (found === undefined) schemas.set(schema, (found = new Map()));
    return found;
  };

  const changes = createDataChangePublisher(busway, {
    defaultSource: 'crm.service',
    tenants: Object.fromEntries(
      Object.keys(options.commandKeys).map((tenant) => [
        tenant,
        [
          { eventBus: 'crm' },
          { eventBus: 'audit', operations: ['DELETE'], detailType: 'audit.{schema}.deleted' },
        ],
      ]),
    ),
  });

  const apply = (tenant: string, schema: string, operation: CrudOperation, input: Partial<Row>): Row => {
    const rowsOf = table(tenant, schema);
    const id = input.id ?? randomUUID();
    const row: Row = { ...(operation === 'PATCH' ? rowsOf.get(id) : {}), ...input, id };
    if (operation === 'DELETE') rowsOf.delete(id);
    else rowsOf.set(id, row);
    return row;
  };

  let applied = 0;
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const commandApplied = (): void => {
    applied += 1;
    for (const waiter of [...waiters]) {
      if (applied >= waiter.count) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  // Commands change rows like API writes do, and publish their data change in the same way.
  const onCommand = async (command: {
    tenant: string;
    schema: string;
    operation: CrudOperation;
    payload: unknown;
  }) => {
    const row = apply(command.tenant, command.schema, command.operation, command.payload as Partial<Row>);
    await changes.publishChange({
      tenant: command.tenant,
      schema: command.schema,
      operation: command.operation,
      payload: row,
    });
    commandApplied();
    return { id: row.id };
  };
  const commands = createCommandConsumer({
    tenants: Object.fromEntries(
      Object.entries(options.commandKeys).map(([tenant, key]) => [
        tenant,
        { inputEnabled: true, apiKeys: [{ key }] },
      ]),
    ),
    handlers: { POST: onCommand, PUT: onCommand, PATCH: onCommand, DELETE: onCommand },
  });
  const router = createEventRouter({ auth: { value: options.serviceKey } });
  commands.register(router);

  const server = createServer(router.listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await busway.registerApp({
    name: 'crm-commands',
    endpoint: `${url}/commands`,
    detailTypes: ['customer.POST', 'customer.PUT', 'customer.PATCH', 'customer.DELETE'],
    eventBusName: 'commands',
    auth: { value: options.serviceKey },
  });

  return {
    url,
    rows,
    async write(tenant, schema, operation, input) {
      const row = apply(tenant, schema, operation, input);
      return changes.publishChange({ tenant, schema, operation, payload: row });
    },
    commandsApplied: (count) =>
      applied >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve })),
    usage: (tenant) => commands.usage(tenant),
    async close() {
      busway.close();
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // Expects the buses crm, audit and commands to exist (aws events create-event-bus --name ...).
  const service = await startCrudService({
    endpoint: process.env['BUSWAY_ENDPOINT'] ?? 'http://127.0.0.1:4010',
    serviceKey: 'crud-service-key',
    commandKeys: { acme: 'acme-command-key' },
  });
  const { result } = await service.write('acme', 'customer', 'POST', { name: 'Ada' });
  console.log(`crud service on ${service.url}; data change published:`, result.entries);
}
