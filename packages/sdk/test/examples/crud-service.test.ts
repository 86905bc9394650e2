/** examples/crud-service.ts against a real server: data changes on two buses by rules, and a command. */
import { CreateEventBusCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../server/test/support/server.js';
import { startCrudService } from '../../../../examples/crud-service.js';
import { createBuswayClient } from '../../src/index.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
  for (const name of ['crm', 'audit', 'commands'])
    await s.client.send(new CreateEventBusCommand({ Name: name }));
});
afterAll(async () => s.close());

async function busAndDetailType(eventId: string | undefined) {
  const record = await s.app.store.getEvent(eventId ?? '');
  const envelope = JSON.parse(record?.envelope ?? '{}') as { 'detail-type': string; detail: unknown };
  return { bus: record?.busName, detailType: envelope['detail-type'], detail: envelope.detail };
}

it('publishes writes to crm (and deletes to audit too) and applies a command event', async () => {
  const service = await startCrudService({
    endpoint: s.url,
    serviceKey: 'service-key',
    commandKeys: { acme: 'acme-key' },
  });
  const busway = createBuswayClient({
    endpoint: s.url,
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  });
  try {
    const created = await service.write('acme', 'customer', 'POST', { id: 'c-1', name: 'Ada' });
    expect(created.result.entries).toHaveLength(1);
    expect(await busAndDetailType(created.result.entries[0]?.eventId)).toEqual({
      bus: 'crm',
      detailType: 'customer.POST',
      detail: {
        tenant: 'acme',
        rootSchema: 'customer',
        operation: 'POST',
        payload: { id: 'c-1', name: 'Ada' },
      },
    });
    const deleted = await service.write('acme', 'customer', 'DELETE', { id: 'c-1' });
    expect(await Promise.all(deleted.result.entries.map((e) => busAndDetailType(e.eventId)))).toMatchObject([
      { bus: 'crm', detailType: 'customer.DELETE' },
      { bus: 'audit', detailType: 'audit.customer.deleted' },
    ]);

    // A command from another system, on the commands bus, through the service's API destination.
    await busway.publish({
      eventBusName: 'commands',
      source: 'ops.console',
      detailType: 'customer.PUT',
      detail: {
        tenant: 'acme',
        rootSchema: 'customer',
        api_key: 'acme-key',
        payload: { id: 'c-2', name: 'Grace' },
      },
    });
    await service.commandsApplied(1);
    expect(service.rows.get('acme')?.get('customer')?.get('c-2')).toEqual({ id: 'c-2', name: 'Grace' });
    expect(service.usage('acme')).toMatchObject({ accepted: 1, byOperation: { PUT: 1 } });
  } finally {
    busway.close();
    await service.close();
  }
});
