/**
 * Data-change publishing by tenant rules and command consumption, on a real server: events land on
 * the buses their rules name (read back from the store), and commands arrive through an API
 * destination at a real router that hands them to CRUD callbacks.
 */
import { CreateEventBusCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANY_CREDENTIALS, startTestServer, type TestServer } from '../../server/test/support/server.js';
import {
  CommandRejectedError,
  createBuswayClient,
  createCommandConsumer,
  createDataChangePublisher,
  createEventRouter,
  InvalidArgumentError,
  type BusEvent,
  type BuswayClient,
  type Command,
} from '../src/index.js';
import { createInbox, startReceiver } from './support/receivers.js';

let s: TestServer;
let busway: BuswayClient;
beforeAll(async () => {
  s = await startTestServer();
  busway = createBuswayClient({ endpoint: s.url, credentials: ANY_CREDENTIALS });
  await s.client.send(new CreateEventBusCommand({ Name: 'crm' }));
  await s.client.send(new CreateEventBusCommand({ Name: 'audit' }));
});
afterAll(async () => {
  busway.close();
  await s.close();
});

async function stored(eventId: string | undefined): Promise<{ busName: string; event: BusEvent }> {
  const record = await s.app.store.getEvent(eventId ?? '');
  if (record === undefined) throw new Error(`event ${eventId} was not stored`);
  return { busName: record.busName, event: JSON.parse(record.envelope) as BusEvent };
}

describe('data-change publishing', () => {
  const publisher = () =>
    createDataChangePublisher(busway, {
      defaultSource: 'crm.backend',
      tenants: {
        acme: [
          { eventBus: 'crm', schemas: ['customer'], detailType: '{tenant}.{schema}.{operation}' },
          { eventBus: 'crm', source: 'never-used' },
          { eventBus: 'arn:aws:events:us-east-1:000000000000:event-bus/audit', operations: ['DELETE'] },
        ],
        globex: [{ eventBus: 'audit', schemas: [] }],
      },
    });

  it('publishes one event per matching bus, the first matching rule of each bus deciding', async () => {
    const { events, result } = await publisher().publishChange({
      tenant: 'acme',
      schema: 'customer',
      rootSchema: 'account',
      operation: 'delete',
      payload: { id: 'c-1' },
    });
    expect(result.FailedEntryCount).toBe(0);
    expect(events.map((e) => [e.eventBusName, e.detailType, e.source])).toEqual([
      ['crm', 'acme.customer.DELETE', 'crm.backend'],
      ['arn:aws:events:us-east-1:000000000000:event-bus/audit', 'customer.DELETE', 'crm.backend'],
    ]);
    const crm = await stored(result.entries[0]?.eventId);
    expect(crm.busName).toBe('crm');
    expect(crm.event.detail).toEqual({
      tenant: 'acme',
      rootSchema: 'account',
      operation: 'DELETE',
      payload: { id: 'c-1' },
    });
    expect((await stored(result.entries[1]?.eventId)).busName).toBe('audit');
  });

  it('filters by operation and schema, and publishes nothing for a tenant without rules', async () => {
    const p = publisher();
    // invoice is not in the first rule's schemas, so the second crm rule applies; not a DELETE: no audit.
    expect(
      p
        .eventsFor({ tenant: 'acme', schema: 'invoice', operation: 'POST', payload: {} })
        .map((e) => [e.eventBusName, e.detailType, e.source]),
    ).toEqual([['crm', 'invoice.POST', 'never-used']]);
    expect(p.eventsFor({ tenant: 'globex', schema: 'x', operation: 'PATCH', payload: {} })).toHaveLength(1);
    const none = await p.publishChange({ tenant: 'initech', schema: 'x', operation: 'PUT', payload: {} });
    expect(none).toEqual({
      events: [],
      result: { requestId: undefined, requestIds: [], FailedEntryCount: 0, entries: [] },
    });
  });

  it('refuses bad rules and changes with what to fix', () => {
    const make = (rule: unknown) => () =>
      createDataChangePublisher(busway, { tenants: { t: [rule as never] } });
    expect(make({})).toThrow(
      new InvalidArgumentError("tenants['t'][0].eventBus must be a bus name or ARN, got undefined."),
    );
    expect(make({ eventBus: 'b', detailType: '{entity}.{operation}' })).toThrow(
      /uses \{entity\}; the placeholders are \{schema\}, \{operation\}, \{tenant\} and \{rootSchema\}/,
    );
    expect(make({ eventBus: 'b', operations: ['GET'] })).toThrow(
      /operations must list some of POST, PUT, PATCH, DELETE/,
    );
    expect(() => createDataChangePublisher({} as never, { tenants: {} })).toThrow(/needs a client/);
    const p = publisher();
    expect(() =>
      p.eventsFor({ tenant: 'acme', schema: 'c', operation: 'GET' as never, payload: {} }),
    ).toThrow("change.operation must be one of POST, PUT, PATCH, DELETE, got 'GET'.");
    expect(() => p.eventsFor({ tenant: '', schema: 'c', operation: 'POST', payload: {} })).toThrow(
      /change.tenant must be a non-empty string/,
    );
  });
});

describe('command consumption', () => {
  const tenants = {
    acme: {
      inputEnabled: true,
      apiKeys: [
        { key: 'acme-admin' },
        { key: 'acme-reader-writer', operations: ['POST'] as const, schemas: ['note'] },
      ],
    },
    globex: { inputEnabled: false, apiKeys: [{ key: 'globex-admin' }] },
  };
  const command = (detailType: string, detail: Record<string, unknown>): BusEvent => ({
    version: '0',
    id: 'e',
    'detail-type': detailType,
    source: 'ops',
    account: '000000000000',
    time: '2026-01-01T00:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail,
  });

  it('hands commands arriving through an API destination to the CRUD callbacks, counting per tenant', async () => {
    const created = createInbox<Command>();
    const deleted = createInbox<Command>();
    const consumer = createCommandConsumer({
      tenants: { acme: { inputEnabled: true, apiKeys: [{ key: 'acme-admin' }] } },
      handlers: {
        POST: (c) => created.push(c),
        DELETE: (c) => deleted.push(c),
      },
    });
    const router = createEventRouter({ auth: { value: 'crm-key' } });
    consumer.register(router);
    const receiver = await startReceiver(router.listener);
    try {
      await busway.registerApp({
        name: 'crm-commands',
        endpoint: receiver.url,
        detailTypes: ['customer.POST', 'customer.DELETE'],
        auth: { value: 'crm-key' },
      });
      await busway.publish([
        {
          source: 'ops',
          detailType: 'customer.POST',
          detail: { tenant: 'acme', api_key: 'acme-admin', payload: { name: 'Ada' } },
        },
        {
          source: 'ops',
          detailType: 'customer.DELETE',
          detail: { tenant: 'acme', rootSchema: 'account', api_key: 'acme-admin', payload: { id: 'c-9' } },
        },
      ]);
      const [post] = await created.waitFor(1);
      const [del] = await deleted.waitFor(1);
      expect(post).toMatchObject({
        tenant: 'acme',
        schema: 'customer',
        rootSchema: 'customer',
        operation: 'POST',
        payload: { name: 'Ada' },
      });
      expect(del).toMatchObject({
        schema: 'customer',
        rootSchema: 'account',
        operation: 'DELETE',
        id: 'c-9',
      });
      expect(consumer.usage('acme')).toEqual({
        accepted: 2,
        rejected: 0,
        failed: 0,
        byOperation: { POST: 1, PUT: 0, PATCH: 0, DELETE: 1 },
      });
    } finally {
      await receiver.close();
    }
  });

  it('refuses with 403 for tenants not enabled, 401 for API keys, 400 for malformed commands', async () => {
    const consumer = createCommandConsumer({ tenants, handlers: { POST: () => 'ok', PUT: () => 'ok' } });
    const refusal = async (event: BusEvent) => {
      const error = await consumer.consume(event).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(CommandRejectedError);
      const rejected = error as CommandRejectedError;
      return [rejected.status, rejected.message];
    };
    expect(
      await refusal(command('note.POST', { tenant: 'globex', api_key: 'globex-admin', payload: {} })),
    ).toEqual([
      403,
      "Tenant 'globex' is not enabled for input: enable it (inputEnabled: true) to accept its commands.",
    ]);
    expect((await refusal(command('note.POST', { tenant: 'nobody', api_key: 'x', payload: {} })))[0]).toBe(
      403,
    );
    expect(await refusal(command('note.POST', { tenant: 'acme', payload: {} }))).toEqual([
      401,
      'The command has no api_key in its detail; send one of the tenant’s API keys.',
    ]);
    expect(
      await refusal(command('note.POST', { tenant: 'acme', api_key: 'globex-admin', payload: {} })),
    ).toEqual([401, "The api_key is not one of tenant 'acme's keys."]);
    expect(
      await refusal(
        command('note.PUT', { tenant: 'acme', api_key: 'acme-reader-writer', payload: { id: 1 } }),
      ),
    ).toEqual([401, 'The api_key may not run PUT (it allows POST).']);
    expect(
      await refusal(command('order.POST', { tenant: 'acme', api_key: 'acme-reader-writer', payload: {} })),
    ).toEqual([401, "The api_key may not write schema 'order' (it allows note)."]);
    expect(
      await refusal(command('note.PUT', { tenant: 'acme', api_key: 'acme-admin', payload: { name: 'x' } })),
    ).toEqual([400, "PUT needs the record's id at payload.id."]);
    expect(
      await refusal(command('note.PATCH', { tenant: 'acme', api_key: 'acme-admin', payload: { id: 'n1' } })),
    ).toEqual([400, 'This service takes no PATCH commands (no handlers.PATCH).']);
    expect((await refusal(command('note.GET', { tenant: 'acme' })))[0]).toBe(400);
    expect((await refusal(command('note.POST', { api_key: 'acme-admin' })))[0]).toBe(400);
    expect(
      await consumer.consume(
        command('note.PUT', { tenant: 'acme', api_key: 'acme-admin', payload: { id: 7 } }),
      ),
    ).toBe('ok');
    expect(consumer.usage('acme')).toMatchObject({ accepted: 1, rejected: 6 });

    // Through the router the refusal is the HTTP answer (403 and 400 are not retried by Busway).
    const router = createEventRouter({ auth: { type: 'NONE' } });
    consumer.register(router);
    const answer = await router.handle({
      headers: {},
      body: command('note.POST', { tenant: 'globex', api_key: 'globex-admin' }),
    });
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body)).toMatchObject({ title: 'COMMAND_REJECTED', status: 403 });
  });

  it('refuses bad consumer configuration with what to fix', () => {
    expect(() =>
      createCommandConsumer({ tenants: { t: { inputEnabled: 'yes' } as never }, handlers: {} }),
    ).toThrow(/tenants\['t'\] must be \{ inputEnabled: boolean, apiKeys/);
    expect(() => createCommandConsumer({ tenants: {}, handlers: { GET: () => 1 } as never })).toThrow(
      /handlers.GET must be a function, and the keys one of POST, PUT, PATCH, DELETE/,
    );
  });
});
