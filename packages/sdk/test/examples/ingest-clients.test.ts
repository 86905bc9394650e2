/**
 * examples/ingest-clients.ts against a real server: two web clients send batches through an ingestion
 * endpoint with JWTs; their client ids come from the token, not from the entries. Ingestion endpoints
 * (Busway.CreateIngestEndpoint, POST /ingest/{name}) come from the inbound branch: on a server without
 * them the test is skipped, saying so.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ANY_CREDENTIALS, startTestServer, type TestServer } from '../../../server/test/support/server.js';
import { runIngestExample } from '../../../../examples/ingest-clients.js';
import { createBuswayClient, ServiceCallError } from '../../src/index.js';

let s: TestServer;
let hasIngestion = false;
beforeAll(async () => {
  s = await startTestServer();
  const busway = createBuswayClient({ endpoint: s.url, credentials: ANY_CREDENTIALS });
  try {
    await busway.callBusway('ListIngestEndpoints', {});
    hasIngestion = true;
  } catch (error) {
    if (!(error instanceof ServiceCallError && error.awsType === 'UnknownOperationException')) throw error;
  } finally {
    busway.close();
  }
});
afterAll(async () => s.close());

it('sends batches of client events with JWTs; claims decide the client id', async (context) => {
  if (!hasIngestion) {
    context.skip(
      'this server has no ingestion endpoints (Busway.CreateIngestEndpoint is in the inbound branch)',
    );
  }
  const { shopResult, kioskResult } = await runIngestExample(s.url);
  expect(shopResult.entries).toHaveLength(12);
  expect(shopResult.FailedEntryCount).toBe(0);
  expect(kioskResult.FailedEntryCount).toBe(1);
  expect(kioskResult.entries[1]).toMatchObject({ errorCode: 'SchemaValidationFailed' });
  const stored = await s.app.store.getEvent(kioskResult.entries[2]?.eventId ?? '');
  const envelope = JSON.parse(stored?.envelope ?? '{}') as {
    'detail-type': string;
    detail: Record<string, unknown>;
  };
  expect(envelope['detail-type']).toBe('checkout');
  expect(envelope.detail).toMatchObject({ cart: 1, clientId: 'kiosk-7' });
  const first = await s.app.store.getEvent(shopResult.entries[0]?.eventId ?? '');
  expect(JSON.parse(first?.envelope ?? '{}').detail).toMatchObject({ page: '/p/0', clientId: 'shop-web' });
});
