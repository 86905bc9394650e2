/** examples/app-registration.ts against a real server: the app registers itself and routes two types. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ListRulesCommand } from '@aws-sdk/client-eventbridge';
import { startTestServer, type TestServer } from '../../../server/test/support/server.js';
import { startCrmApp } from '../../../../examples/app-registration.js';
import { createBuswayClient } from '../../src/index.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => s.close());

it('receives Customer Created and Invoice Paid through its API destination and routes them', async () => {
  const first = await startCrmApp({ endpoint: s.url, apiKey: 'crm-key' });
  await first.close();
  // A restart re-applies the registration (a new port) without duplicating rules.
  const app = await startCrmApp({ endpoint: s.url, apiKey: 'crm-key' });
  const busway = createBuswayClient({
    endpoint: s.url,
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  });
  try {
    const rules = await s.client.send(new ListRulesCommand({ NamePrefix: 'crm.' }));
    expect(rules.Rules).toHaveLength(2);
    await busway.publish([
      { source: 'signup', detailType: 'Customer Created', detail: { customerId: 'c-1', name: 'Ada' } },
      { source: 'billing', detailType: 'Invoice Paid', detail: { invoiceId: 'i-9', amount: 40 } },
    ]);
    const log = await app.logged(2);
    expect(log.sort()).toEqual(['contact created for Ada (c-1)', 'invoice i-9 marked paid: 40']);
  } finally {
    busway.close();
    await app.close();
  }
});
